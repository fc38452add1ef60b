// `node:fs` for the package's test files in a browser page: `readFileSync` of a URL the page's server serves (the
// package's files and ../shared/data), read with a synchronous request as Node reads synchronously.

export function readFileSync(url, encoding) {
  const request = new XMLHttpRequest();
  request.open("GET", String(url), false);
  request.send();
  if (request.status !== 200) throw new Error(`ENOENT: ${url} (HTTP ${request.status})`);
  if (encoding === undefined) throw new Error("the browser shim of readFileSync reads text only: pass an encoding");
  return request.responseText;
}
