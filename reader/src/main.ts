// The reader site: a client of ContentApi and nothing else. Pages are chosen by the URL's hash:
//   #/                      latest articles (cursor paging: #/?cursor=…)
//   #/articles/{slug}       the article, its metadata panel, comments and the reply form
//   #/people/{slug}, #/organisations/{slug}, #/events/{slug}, #/places/{slug}, #/tags/{slug},
//   #/authors/{slug}
//   #/search?q=…            search with highlighted snippets
import { api, cursorOf, type Problem, type Schemas } from "./api.js";
import { commentsSection } from "./comments.js";
import { dateRange, h, highlighted, link, time } from "./dom.js";

const main = document.querySelector("main");
const pageSize = 10;

async function route(): Promise<void> {
  if (main === null) {
    return;
  }
  const [path = "/", query = ""] = location.hash.replace(/^#/, "").split("?");
  const parameters = new URLSearchParams(query);
  const [, kind = "", slug = ""] = path.split("/");
  main.replaceChildren(h("p", { class: "loading" }, "Loading…"));
  let page: Node;
  switch (kind) {
    case "articles":
      page = await articlePage(slug);
      break;
    case "people":
      page = await personPage(slug);
      break;
    case "organisations":
      page = await organisationPage(slug);
      break;
    case "events":
      page = await eventPage(slug);
      break;
    case "places":
      page = await placePage(slug);
      break;
    case "tags":
      page = await tagPage(slug);
      break;
    case "authors":
      page = await authorPage(slug);
      break;
    case "search":
      page = await searchPage(parameters.get("q") ?? "");
      break;
    default:
      page = await homePage(parameters.get("cursor"));
  }
  main.replaceChildren(page);
  window.scrollTo(0, 0);
}

function problemPage(problem: Pick<Problem, "title" | "detail"> | undefined): HTMLElement {
  return h("section", { class: "problem" }, h("h1", {}, problem?.title ?? "Something went wrong"), h("p", {}, problem?.detail ?? "The content could not be loaded."));
}

function articleList(articles: Schemas["ArticleSummary"][]): HTMLElement {
  return h(
    "ol",
    { class: "articles" },
    ...articles.map((article) =>
      h(
        "li",
        { class: "article-summary" },
        h("h2", {}, link(`#/articles/${article.slug}`, article.title)),
        h("p", { class: "byline" }, article.publishedAt !== null && time(article.publishedAt), ` · ${article.commentCount} comment${article.commentCount === 1 ? "" : "s"}`),
        h("p", {}, article.summary),
      ),
    ),
  );
}

async function homePage(cursor: string | null): Promise<HTMLElement> {
  const { data, error } = await api.GET("/v1/articles", {
    params: { query: cursor === null ? { pageSize } : { pageSize, cursor } },
  });
  if (data === undefined) {
    return problemPage(error);
  }
  const older = cursorOf(data.links.next);
  const newer = cursorOf(data.links.prev);
  return h(
    "section",
    {},
    h("h1", {}, "Latest news"),
    h("p", { class: "count" }, `${data.page.totalItems} articles`),
    articleList(data.items),
    h(
      "nav",
      { class: "pager" },
      newer !== null && link(`#/?cursor=${encodeURIComponent(newer)}`, "← Newer", { rel: "prev" }),
      older !== null && link(`#/?cursor=${encodeURIComponent(older)}`, "Older →", { rel: "next" }),
    ),
  );
}

function bodyBlock(block: Schemas["BodyBlock"], people: Schemas["ArticlePerson"][]): HTMLElement {
  switch (block.type) {
    case "heading":
      return h(block.level === 3 ? "h3" : "h2", {}, block.text ?? "");
    case "quote": {
      const person = people.find((p) => p.slug === block.person);
      return h(
        "blockquote",
        {},
        h("p", {}, `“${block.text ?? ""}”`),
        person !== undefined && h("footer", {}, "— ", link(`#/people/${person.slug}`, person.name)),
      );
    }
    case "list": {
      const items = (block.items ?? []).map((item) => h("li", {}, item));
      return block.ordered === true ? h("ol", {}, ...items) : h("ul", {}, ...items);
    }
    default:
      return h("p", {}, block.text ?? "");
  }
}

function metadataPanel(metadata: Schemas["ArticleMetadata"]): HTMLElement {
  const organisationName = (slug: string): string => {
    const organisation = metadata.organisations.find((o) => o.slug === slug);
    return organisation === undefined ? slug : organisation.acronym ?? organisation.name;
  };
  const event = metadata.event;
  return h(
    "aside",
    { class: "metadata" },
    event !== null &&
      h(
        "section",
        { class: "event" },
        h("h2", {}, "Event"),
        h("p", {}, link(`#/events/${event.slug}`, event.name)),
        h("p", {}, dateRange(event.startDate, event.endDate)),
        h("p", { class: "place" }, [event.location.venue, event.location.city, event.location.country].filter((part) => part !== null).join(", ")),
      ),
    h(
      "section",
      { class: "people" },
      h("h2", {}, "People"),
      h(
        "ul",
        {},
        ...metadata.people.map((person) =>
          h(
            "li",
            {},
            link(`#/people/${person.slug}`, person.name),
            ` (${person.role})`,
            h("span", { class: "titles" }, ...person.affiliations.map((a) => h("span", { class: "title" }, `${a.title}, ${organisationName(a.organisation)}`))),
          ),
        ),
      ),
    ),
    h(
      "section",
      { class: "organisations" },
      h("h2", {}, "Organisations"),
      h("ul", {}, ...metadata.organisations.map((o) => h("li", {}, link(`#/organisations/${o.slug}`, o.acronym === null ? o.name : `${o.name} (${o.acronym})`), ` · ${o.role}`))),
    ),
    h("section", { class: "places" }, h("h2", {}, "Places"), h("ul", {}, ...metadata.places.map((p) => h("li", {}, link(`#/places/${p.slug}`, p.name))))),
    h("section", { class: "tags" }, h("h2", {}, "Topics"), h("ul", { class: "chips" }, ...metadata.tags.map((t) => h("li", {}, link(`#/tags/${t.slug}`, t.name))))),
    h(
      "section",
      { class: "dates" },
      h("h2", {}, "Dates"),
      metadata.dates.published !== null && h("p", {}, "Published ", time(metadata.dates.published)),
      metadata.dates.modified !== metadata.dates.published && h("p", {}, "Updated ", time(metadata.dates.modified)),
    ),
  );
}

async function articlePage(slug: string): Promise<HTMLElement> {
  const { data: article, error } = await api.GET("/v1/articles/{slug}", { params: { path: { slug } } });
  if (article === undefined) {
    return problemPage(error);
  }
  document.title = `${article.title} · ContentApi reader`;
  return h(
    "article",
    { class: "article" },
    h("h1", {}, article.title),
    h("p", { class: "standfirst" }, article.summary),
    article.authors.length > 0 &&
      h("p", { class: "byline" }, "By ", ...article.authors.flatMap((author, i) => [i > 0 ? ", " : "", link(`#/authors/${author.slug}`, author.name)])),
    article.image !== null &&
      h(
        "figure",
        { class: "lead-image" },
        h("img", { src: article.image.url, alt: article.image.alt }),
        (article.image.caption !== null || article.image.credit !== null) &&
          h("figcaption", {}, [article.image.caption, article.image.credit].filter((part) => part !== null).join(" · ")),
      ),
    h("div", { class: "layout" }, h("div", { class: "body" }, ...article.body.map((block) => bodyBlock(block, article.metadata.people))), metadataPanel(article.metadata)),
    await commentsSection(article),
  );
}

function latest(articles: Schemas["ArticleSummary"][]): HTMLElement {
  return h("section", {}, h("h2", {}, "Latest articles"), articleList(articles));
}

function involvements(items: Schemas["ArticleInvolvement"][]): HTMLElement {
  return h(
    "section",
    {},
    h("h2", {}, "Latest articles"),
    h("ol", { class: "articles" }, ...items.map((item) => h("li", {}, link(`#/articles/${item.article.slug}`, item.article.title), ` · ${item.role}`))),
  );
}

async function personPage(slug: string): Promise<HTMLElement> {
  const { data: person, error } = await api.GET("/v1/people/{slug}", { params: { path: { slug } } });
  if (person === undefined) {
    return problemPage(error);
  }
  return h(
    "section",
    { class: "entity person" },
    h("h1", {}, person.name),
    person.description !== null && h("p", {}, person.description),
    h("h2", {}, "Positions"),
    h(
      "ul",
      { class: "positions" },
      ...person.affiliations.map((position) =>
        h("li", {}, `${position.title}, `, link(`#/organisations/${position.organisation.slug}`, position.organisation.name)),
      ),
    ),
    h("p", { class: "count" }, `${person.articleCount} published article${person.articleCount === 1 ? "" : "s"}`),
    involvements(person.latestArticles),
  );
}

async function organisationPage(slug: string): Promise<HTMLElement> {
  const { data: organisation, error } = await api.GET("/v1/organisations/{slug}", { params: { path: { slug } } });
  if (organisation === undefined) {
    return problemPage(error);
  }
  const parent = organisation.parent;
  return h(
    "section",
    { class: "entity organisation" },
    h("h1", {}, organisation.acronym === null ? organisation.name : `${organisation.name} (${organisation.acronym})`),
    h("p", { class: "kind" }, [organisation.kind, organisation.country].filter((part) => part !== null).join(" · ")),
    organisation.description !== null && h("p", {}, organisation.description),
    parent !== null && h("p", {}, "Part of ", link(`#/organisations/${parent.slug}`, parent.name)),
    organisation.children.length > 0 && h("ul", { class: "children" }, ...organisation.children.map((c) => h("li", {}, link(`#/organisations/${c.slug}`, c.name)))),
    h("h2", {}, "People"),
    h("ul", {}, ...organisation.people.map((p) => h("li", {}, link(`#/people/${p.slug}`, p.name), `, ${p.title}`))),
    involvements(organisation.latestArticles),
  );
}

async function eventPage(slug: string): Promise<HTMLElement> {
  const { data: event, error } = await api.GET("/v1/events/{slug}", { params: { path: { slug } } });
  if (event === undefined) {
    return problemPage(error);
  }
  const place = event.place;
  return h(
    "section",
    { class: "entity event" },
    h("h1", {}, event.name),
    h("p", {}, dateRange(event.startDate, event.endDate)),
    place !== null && h("p", {}, link(`#/places/${place.slug}`, place.name)),
    event.description !== null && h("p", {}, event.description),
    latest(event.latestArticles),
  );
}

async function placePage(slug: string): Promise<HTMLElement> {
  const { data: place, error } = await api.GET("/v1/places/{slug}", { params: { path: { slug } } });
  if (place === undefined) {
    return problemPage(error);
  }
  return h("section", { class: "entity place" }, h("h1", {}, place.name), h("p", { class: "kind" }, place.kind), latest(place.latestArticles));
}

async function tagPage(slug: string): Promise<HTMLElement> {
  const { data: tag, error } = await api.GET("/v1/tags/{slug}", { params: { path: { slug } } });
  if (tag === undefined) {
    return problemPage(error);
  }
  return h(
    "section",
    { class: "entity tag" },
    h("h1", {}, tag.name),
    tag.description !== null && h("p", {}, tag.description),
    h("p", { class: "count" }, `${tag.articleCount} published article${tag.articleCount === 1 ? "" : "s"}`),
    latest(tag.latestArticles),
  );
}

async function authorPage(slug: string): Promise<HTMLElement> {
  const { data: author, error } = await api.GET("/v1/authors/{slug}", { params: { path: { slug } } });
  if (author === undefined) {
    return problemPage(error);
  }
  return h(
    "section",
    { class: "entity author" },
    h("h1", {}, author.name),
    author.bio !== null && h("p", {}, author.bio),
    author.url !== null && h("p", {}, link(author.url, "Profile")),
    latest(author.latestArticles),
  );
}

const hitRoutes: Record<Schemas["SearchHit"]["type"], string> = {
  article: "articles",
  person: "people",
  organisation: "organisations",
  event: "events",
};

async function searchPage(q: string): Promise<HTMLElement> {
  const form = h(
    "form",
    { class: "search", role: "search" },
    h("input", { type: "search", name: "q", value: q, "aria-label": "Search", maxlength: "200", required: "" }),
    h("button", { type: "submit" }, "Search"),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const value = new FormData(form).get("q");
    location.hash = `#/search?q=${encodeURIComponent(typeof value === "string" ? value : "")}`;
  });
  if (q.trim() === "") {
    return h("section", {}, h("h1", {}, "Search"), form);
  }
  const { data, error } = await api.GET("/v1/search", { params: { query: { q } } });
  if (data === undefined) {
    return h("section", {}, h("h1", {}, "Search"), form, problemPage(error));
  }
  return h(
    "section",
    {},
    h("h1", {}, "Search"),
    form,
    h(
      "p",
      { class: "count" },
      `${data.page.totalItemsEstimated ? "about " : ""}${data.page.totalItems} result${data.page.totalItems === 1 ? "" : "s"} for “${q}”`,
    ),
    h(
      "ol",
      { class: "hits" },
      ...data.items.map((hit) =>
        h("li", { class: `hit ${hit.type}` }, h("span", { class: "type" }, hit.type), " ", link(`#/${hitRoutes[hit.type]}/${hit.slug}`, hit.title), highlighted(hit.snippet)),
      ),
    ),
  );
}

window.addEventListener("hashchange", () => void route());
void route();
