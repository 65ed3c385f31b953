// Building the page from data with DOM calls only: text is always text (no innerHTML).

type Child = Node | string | null | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== false) {
      element.append(child);
    }
  }
  return element;
}

export function link(href: string, text: string, attributes: Record<string, string> = {}): HTMLAnchorElement {
  return h("a", { href, ...attributes }, text);
}

/** A search snippet: matches come wrapped in ⟦ and ⟧ and become <mark> elements. */
export function highlighted(snippet: string): HTMLElement {
  const paragraph = h("p", { class: "snippet" });
  snippet.split(/(⟦[^⟧]*⟧)/u).forEach((part) => {
    paragraph.append(part.startsWith("⟦") && part.endsWith("⟧") ? h("mark", {}, part.slice(1, -1)) : part);
  });
  return paragraph;
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** A calendar date (yyyy-MM-dd) or a timestamp, in words, with its machine-readable form. */
export function time(value: string): HTMLTimeElement {
  return h("time", { datetime: value }, dateFormat.format(new Date(value)));
}

/** A date range such as "27–29 May 2025". */
export function dateRange(start: string, end: string): HTMLElement {
  const range = start === end ? dateFormat.format(new Date(start)) : dateFormat.formatRange(new Date(start), new Date(end));
  return h("span", { class: "dates" }, h("time", { datetime: start }, range), h("time", { datetime: end, hidden: "" }, end));
}
