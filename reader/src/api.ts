// The typed client: types generated from the committed OpenAPI document (npm run generate),
// requests through openapi-fetch. Nothing here is written by hand about the API's shapes.
import createClient from "openapi-fetch";
import type { components, paths } from "./api/schema.js";

export type Schemas = components["schemas"];
export type Problem = Schemas["HttpValidationProblemDetails"];

declare global {
  interface Window {
    /** The API's base URL, from /config.js (served beside the site). */
    CONTENTAPI_URL: string;
  }
}

// "no-cache": the browser revalidates every response with its ETag, so a reload costs 304s.
export const api = createClient<paths>({ baseUrl: window.CONTENTAPI_URL, cache: "no-cache" });

/** The cursor of a list's next or prev link, if there is one. */
export function cursorOf(link: string | null): string | null {
  return link === null ? null : new URL(link, window.CONTENTAPI_URL).searchParams.get("cursor");
}
