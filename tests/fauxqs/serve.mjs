// Starts fauxqs (npm, pinned by package-lock.json) as an S3-compatible server for the tests and the bench:
// - bound to 127.0.0.1 only (fauxqs' own CLI listens on 0.0.0.0);
// - the request-size limit lifted: fauxqs builds Fastify with bodyLimit 11 MiB and parses S3 bodies with a
//   wildcard buffer parser; that parser is replaced by the same one with a limit of its own
//   (IG_FAUXQS_BODY_LIMIT bytes, default 5 GiB, S3's single-PUT maximum);
// - the port is written to the file named by the first argument once it listens (0 = a free port).
// Usage: node serve.mjs PORTFILE [PORT]
import { writeFileSync, renameSync } from "node:fs";
import { buildApp } from "fauxqs";

const [portFile, wanted = "0"] = process.argv.slice(2);
if (!portFile) { console.error("usage: node serve.mjs PORTFILE [PORT]"); process.exit(2); }
const bodyLimit = Number(process.env.IG_FAUXQS_BODY_LIMIT ?? 5 * 1024 ** 3);

const app = buildApp({ logger: process.env.FAUXQS_LOGGER === "true" });
app.removeContentTypeParser("*");
app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_req, body, done) => done(null, body));
const address = await app.listen({ port: Number(wanted), host: "127.0.0.1" });
const port = new URL(address).port;
writeFileSync(portFile + ".tmp", port + "\n");
renameSync(portFile + ".tmp", portFile);
console.log(`fauxqs listening on 127.0.0.1:${port} (body limit ${bodyLimit} bytes)`);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => app.close().then(() => process.exit(0)));
