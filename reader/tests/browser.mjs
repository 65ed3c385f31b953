// The reader site in a real browser (the OS's Chromium, driven by playwright-core; no browser
// is downloaded). Run by the .NET test suite against a real API; exits 1 on the first failure.
//   SITE_URL, API_URL, MODERATOR_KEY, SCREENSHOTS (folder), CHROMIUM (default /usr/bin/chromium)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const site = required("SITE_URL");
const apiUrl = required("API_URL");
const moderatorKey = required("MODERATOR_KEY");
const screenshots = required("SCREENSHOTS");
const seedSlug = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
const seedTitle = "Hammouchi promotes a new vision of shared international security cooperation at the Moscow international forum";

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
  console.log(`ok - ${message}`);
}

mkdirSync(screenshots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const apiResponses = [];
  page.on("response", (response) => {
    if (response.url().startsWith(apiUrl)) {
      apiResponses.push(response);
    }
  });
  // The status as it came off the network (Playwright reports a revalidated response as the 200 it reuses).
  const networkStatuses = [];
  const devtools = await page.context().newCDPSession(page);
  await devtools.send("Network.enable");
  devtools.on("Network.responseReceivedExtraInfo", (event) => networkStatuses.push(event.statusCode));
  const shot = (name) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

  // Home: the latest articles; "Older →" follows the next cursor until the seed article shows.
  await page.goto(site);
  await page.waitForSelector(".article-summary");
  check((await page.textContent("h1")) === "Latest news", "the home page shows the latest articles");
  check((await page.locator(".article-summary").count()) === 10, "a page holds ten articles");
  await shot("01-home");
  let pages = 1;
  while ((await page.locator(`a[href="#/articles/${seedSlug}"]`).count()) === 0) {
    check((await page.locator("a[rel=next]").count()) === 1, `page ${pages} links to older articles`);
    const firstOnThisPage = await page.textContent(".article-summary h2");
    await page.click("a[rel=next]");
    // The next page has rendered: articles again, and not the ones of this page.
    await page.waitForFunction((first) => {
      const heading = document.querySelector(".article-summary h2");
      return heading !== null && heading.textContent !== first;
    }, firstOnThisPage);
    pages += 1;
    check(pages <= 5, "the seed article is found within five pages");
  }
  check(pages >= 2, `cursor paging reached the seed article on page ${pages}`);
  check(new URL(page.url()).hash.startsWith("#/?cursor="), "older pages are addressed by cursor");
  check((await page.locator("a[rel=prev]").count()) === 1, "an older page links back to newer articles");

  // The article: event dates, people with their titles, the quote; requests cross origins.
  await page.click(`a[href="#/articles/${seedSlug}"]`);
  await page.waitForSelector("article.article h1");
  check((await page.textContent("article.article h1")) === seedTitle, "the seed article opens");
  check((await page.locator('.event time[datetime="2025-05-27"]').count()) === 1, "the event starts on 2025-05-27");
  check((await page.locator('.event time[datetime="2025-05-29"]').count()) === 1, "the event ends on 2025-05-29");
  check((await page.textContent(".event")).includes("13th International Meeting of High-Level Security Officials"), "the event is named");
  const people = await page.textContent(".metadata .people");
  check(people.includes("Abdellatif Hammouchi") && people.includes("Director General, DGSN") && people.includes("Director General, DGST"), "the person is listed with both titles");
  check((await page.textContent("blockquote")).includes("effective security can only be achieved through strong and shared cooperation"), "the quote is shown");
  check((await page.textContent(".metadata .organisations")).includes("Federal Security Service (FSB)"), "the organisations are listed");
  const articleResponse = apiResponses.findLast((r) => r.url().endsWith(`/v1/articles/${seedSlug}`));
  check(articleResponse !== undefined && (await articleResponse.headerValue("access-control-allow-origin")) === new URL(site).origin, "the API answered the site's origin (CORS)");
  await shot("02-article");

  // A reload revalidates with the ETags it holds: the API answers 304s (the site's own files
  // carry no validators, so every 304 is the API's).
  networkStatuses.length = 0;
  await page.reload();
  await page.waitForSelector(".discussion");
  await page.waitForTimeout(300);
  check(networkStatuses.filter((status) => status === 304).length >= 2, "a reload of the article is answered by 304s (article and comments)");

  // The person page, from the quote's attribution.
  await page.click("blockquote footer a");
  await page.waitForSelector(".entity.person h1");
  check((await page.textContent(".entity.person h1")) === "Abdellatif Hammouchi", "the quote links to the person");
  check((await page.textContent(".positions")).includes("Director General"), "the person page lists positions");
  await shot("03-person");

  // Search with highlighted snippets.
  await page.goto(`${site}#/search`);
  await page.fill("input[name=q]", "Moscow forum");
  await page.click("form.search button");
  await page.waitForSelector(".hits li");
  check((await page.textContent(".hits")).includes(seedTitle), "searching 'Moscow forum' finds the seed article");
  check((await page.locator(".hits mark").count()) > 0, "matches are highlighted");
  await shot("04-search");

  // Leave a Reply: a bad email is explained beside its field; a good post awaits moderation.
  await page.goto(`${site}#/articles/${seedSlug}`);
  await page.waitForSelector("form.reply");
  const body = `A browser's comment ${Date.now()}`;
  await page.fill("#reply-body", body);
  await page.fill("#reply-authorName", "Browser Reader");
  await page.fill("#reply-authorEmail", "not-an-email");
  await page.click("form.reply button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#reply-authorEmail-error")?.textContent !== "");
  check((await page.textContent("#reply-authorEmail-error")).includes("email"), "a bad email is explained beside the email field");
  check((await page.textContent("#reply-authorName-error")) === "", "fields without problems show none");
  await shot("05-bad-email");

  const email = `browser-${Date.now()}@example.org`;
  await page.fill("#reply-authorEmail", email);
  await page.click("form.reply button[type=submit]");
  await page.waitForSelector(".form-status.success");
  check((await page.textContent(".form-status")).includes("awaiting moderation"), "a new comment awaits moderation");
  await shot("06-pending");

  // The same comment again is a duplicate (409), told in words.
  await page.fill("#reply-body", body);
  await page.fill("#reply-authorName", "Browser Reader");
  await page.fill("#reply-authorEmail", email);
  await page.click("form.reply button[type=submit]");
  await page.waitForSelector(".form-status.failure");
  check((await page.textContent(".form-status")).includes("already posted"), "a duplicate comment is refused in words");

  // Another one at once is too fast (429), told in words with the wait.
  await page.fill("#reply-body", `${body} (again)`);
  await page.click("form.reply button[type=submit]");
  await page.waitForFunction(() => document.querySelector(".form-status")?.textContent?.includes("too quickly"));
  check(/wait \d+ seconds/.test(await page.textContent(".form-status")), "posting too fast says how long to wait");
  await shot("07-too-fast");

  // Once a moderator approves it, the thread shows it.
  const authorization = { Authorization: `Bearer ${moderatorKey}` };
  const queue = await (await fetch(`${apiUrl}/v1/comments?status=pending&article=${seedSlug}`, { headers: authorization })).json();
  const mine = queue.items.find((comment) => comment.authorEmail === email);
  check(mine !== undefined, "the moderation queue holds the comment");
  const approval = await fetch(`${apiUrl}/v1/comments/${mine.id}`, {
    method: "PATCH",
    headers: { ...authorization, "Content-Type": "application/json", "If-Match": `"${mine.version}"` },
    body: JSON.stringify({ status: "approved" }),
  });
  check(approval.status === 200, "the moderator approves it");
  await page.reload();
  await page.waitForSelector(".comments .comment");
  check((await page.textContent(".comments")).includes(body), "the approved comment appears in the thread");
  await shot("08-thread");
} finally {
  await browser.close();
}
