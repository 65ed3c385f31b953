// The approved comments of an article, threaded, and the "Leave a Reply" form.
import { api, type Problem, type Schemas } from "./api.js";
import { h, time } from "./dom.js";

function isThread(comment: Schemas["PublicComment"] | Schemas["CommentThread"]): comment is Schemas["CommentThread"] {
  return "replies" in comment;
}

function thread(comments: Schemas["CommentThread"][]): HTMLElement {
  return h(
    "ol",
    { class: "comments" },
    ...comments.map((comment) =>
      h(
        "li",
        { class: "comment", id: `comment-${comment.id}` },
        h(
          "p",
          { class: "author" },
          comment.authorUrl === null ? comment.authorName : h("a", { href: comment.authorUrl, rel: "nofollow ugc" }, comment.authorName),
          " · ",
          time(comment.createdAt),
        ),
        h("p", { class: "text" }, comment.body),
        comment.replies.length > 0 && thread(comment.replies),
      ),
    ),
  );
}

// Form fields by the name the API gives them in a validation problem.
const fields = [
  { name: "authorName", label: "Name", type: "text", required: true, maxLength: 245 },
  { name: "authorEmail", label: "Email", type: "email", required: true, maxLength: 100 },
  { name: "authorUrl", label: "Website", type: "url", required: false, maxLength: 200 },
] as const;

function field(name: string, label: string, control: HTMLInputElement | HTMLTextAreaElement, required: boolean): HTMLElement {
  control.id = `reply-${name}`;
  control.name = name;
  control.required = required;
  return h(
    "p",
    { class: "field" },
    h("label", { for: control.id }, label, required && h("span", { class: "required", "aria-hidden": "true" }, " *")),
    control,
    h("span", { class: "error", id: `reply-${name}-error`, role: "alert" }),
  );
}

/** What a refused post means for the reader, in words. */
function refusal(status: number, problem: Pick<Problem, "detail"> | undefined, retryAfter: string | null): string {
  switch (status) {
    case 409:
      return "You have already posted this comment.";
    case 429:
      return `You are posting comments too quickly. Please wait ${retryAfter ?? "a few"} seconds and try again.`;
    case 403:
      return "Comments are closed on this article.";
    case 404:
      return "This article is no longer available.";
    default:
      return problem?.detail ?? "Your comment could not be sent. Please try again.";
  }
}

function replyForm(slug: string): HTMLElement {
  const status = h("p", { class: "form-status", role: "status" });
  const body = h("textarea", { rows: "6", maxlength: "65525" });
  const form = h(
    "form",
    { class: "reply", novalidate: "" },
    h("p", { class: "notes" }, "Your email address will not be published. Required fields are marked ", h("span", { class: "required" }, "*")),
    field("body", "Comment", body, true),
    ...fields.map((f) => field(f.name, f.label, h("input", { type: f.type, maxlength: String(f.maxLength) }), f.required)),
    h("p", {}, h("button", { type: "submit" }, "Post Comment")),
    status,
  );

  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    void post();
  });

  async function post(): Promise<void> {
    form.querySelectorAll(".error").forEach((error) => error.replaceChildren());
    status.replaceChildren();
    const values = new FormData(form);
    const text = (name: string): string => {
      const value = values.get(name);
      return typeof value === "string" ? value : "";
    };
    const website = text("authorUrl").trim();
    const { data, error, response } = await api.POST("/v1/articles/{slug}/comments", {
      params: { path: { slug }, header: { "Idempotency-Key": crypto.randomUUID() } },
      body: {
        authorName: text("authorName"),
        authorEmail: text("authorEmail"),
        body: text("body"),
        ...(website === "" ? {} : { authorUrl: website }),
      },
    });
    if (data !== undefined) {
      form.reset();
      status.className = "form-status success";
      status.textContent =
        data.status === "approved" ? "Thank you: your comment is published." : "Thank you: your comment is awaiting moderation.";
      return;
    }
    status.className = "form-status failure";
    const errors = error !== undefined && "errors" in error ? error.errors : undefined;
    if (response.status === 400 && errors !== undefined) {
      for (const [name, messages] of Object.entries(errors)) {
        const slot = form.querySelector(`#reply-${name}-error`);
        if (slot !== null) {
          slot.textContent = messages.join(" ");
        }
      }
      status.textContent = "Please correct the fields marked below.";
      return;
    }
    status.textContent = refusal(response.status, error, response.headers.get("Retry-After"));
  }

  return h("section", { class: "leave-a-reply" }, h("h2", {}, "Leave a Reply"), form);
}

export async function commentsSection(article: Schemas["ArticleDetail"]): Promise<HTMLElement> {
  const { data } = await api.GET("/v1/articles/{slug}/comments", {
    params: { path: { slug: article.slug }, query: { view: "tree", pageSize: 100 } },
  });
  // The list has a flat and a tree view; view=tree answers threads.
  const items: (Schemas["PublicComment"] | Schemas["CommentThread"])[] = data === undefined ? [] : data.items;
  const comments = items.filter(isThread);
  return h(
    "section",
    { class: "discussion" },
    h("h2", {}, `${article.commentCount} comment${article.commentCount === 1 ? "" : "s"}`),
    comments.length > 0 ? thread(comments) : h("p", {}, "No comments yet."),
    article.commentsOpen ? replyForm(article.slug) : h("p", {}, "Comments are closed."),
  );
}
