// Serves the reader site on its own origin: the pages, the compiled scripts, openapi-fetch, and
// /config.js naming the API it reads.   node serve.mjs --api http://localhost:5080 [--port 5081]
// It prints "Reader site: <url>" once listening (port 0 picks a free one).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
};
const api = option("api", "http://localhost:5080");
const port = Number(option("port", "5081"));
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".png": "image/png" };
const routes = {
  "/": join(root, "public/index.html"),
  "/vendor/openapi-fetch.mjs": join(root, "node_modules/openapi-fetch/dist/index.mjs"),
};

createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path === "/config.js") {
    response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
    response.end(`window.CONTENTAPI_URL = ${JSON.stringify(api)};\n`);
    return;
  }
  const file = routes[path] ?? (path.startsWith("/dist/") ? join(root, normalize(path)) : join(root, "public", normalize(path)));
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("Not found");
    return;
  }
  response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
  createReadStream(file).pipe(response);
}).listen(port, "127.0.0.1", function () {
  console.log(`Reader site: http://localhost:${this.address().port}/ (reads ${api})`);
});
