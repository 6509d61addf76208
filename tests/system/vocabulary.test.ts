// Each layer speaks its own words (docs/REALWORLD.md): the services, the contracts and the kit are
// flock's, so nothing in them may be named for the RealWorld facade, whose articles are posts and
// whose favorites are likes. Only workers/gateway/src/realworld translates.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** The facade's words, in any case: in file names, code, comments and tests alike. */
const FACADE_WORDS = /realworld|article|favorite/i;

/** Every worker's src except the gateway's (new services are held to it at once), contracts, kit. */
function flockFolders(): string[] {
  const services = readdirSync(path.join(root, "workers"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "gateway")
    .map((entry) => path.join("workers", entry.name, "src"));
  return [...services, "packages/contracts/src", "packages/kit/src"];
}

function filesUnder(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** Each mention of a facade word, as `file:line: text` (line 0 for a file's own name). */
function facadeWords(files: readonly string[], read: (file: string) => string): string[] {
  return files.flatMap((file) => [
    ...(FACADE_WORDS.test(path.basename(file)) ? [`${file}:0: (file name)`] : []),
    ...read(file)
      .split("\n")
      .flatMap((text, index) =>
        FACADE_WORDS.test(text) ? [`${file}:${index + 1}: ${text.trim()}`] : [],
      ),
  ]);
}

describe("one vocabulary per layer", () => {
  it("finds the facade's words in a file that has them, naming file and line", () => {
    const files: Record<string, string> = {
      "workers/posts/src/feed.ts": "export const feed = 1;\n// an Article's favorites\n",
      "workers/posts/src/articles.test.ts": "ok\n",
    };
    expect(facadeWords(Object.keys(files), (file) => files[file] ?? "")).toEqual([
      "workers/posts/src/feed.ts:2: // an Article's favorites",
      "workers/posts/src/articles.test.ts:0: (file name)",
    ]);
  });

  it("keeps RealWorld's words out of the services, the contracts and the kit", () => {
    const folders = flockFolders();
    expect(folders).toEqual(expect.arrayContaining(["workers/posts/src", "workers/users/src"]));
    const files = folders.flatMap(filesUnder);
    expect(files.length).toBeGreaterThan(20);
    const hits = facadeWords(files, (file) => readFileSync(path.join(root, file), "utf8"));
    expect(hits, `facade words outside workers/gateway/src/realworld:\n${hits.join("\n")}`).toEqual(
      [],
    );
  });
});
