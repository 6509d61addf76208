// Uploading and serving images through the gateway, with every worker running: the bytes checked,
// stripped of their metadata (shown with exifr before and after), stored in local R2 and served with
// their stored type, safe headers and ranges; what is not an image, or too big, is refused.
import { dimensions, gifWithComment, image, pngWithText } from "@flock/testing/images";
import exifr from "exifr";
import { describe, expect, it } from "vitest";
import type { Reply } from "./client";
import { useFlock } from "./harness";

const flock = useFlock();

/** Uploads raw bytes as `type`, signed in with `token` (or not). */
export async function upload(
  token: string | null,
  type: string,
  bytes: Uint8Array,
  headers = {},
): Promise<Reply & { type: string | null }> {
  const response = await flock.server.fetch("http://localhost/v1/media", {
    method: "POST",
    headers: {
      "content-type": type,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: bytes,
  });
  return {
    status: response.status,
    headers: response.headers,
    type: response.headers.get("content-type"),
    body: await response.json(),
  };
}

async function fetchImage(url: string, headers: Record<string, string> = {}) {
  const response = await flock.server.fetch(`http://localhost${url}`, { headers });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("POST /v1/media and GET /media/:id", () => {
  it("serves an uploaded JPEG without the GPS position and artist it was sent with", async () => {
    const { token } = await flock.api.signUp("photographer");
    const sent = image("jpeg");
    const before = await exifr.parse(sent, { gps: true });
    expect(before).toMatchObject({ Artist: "Ada Lovelace", latitude: 51.5 });

    const uploaded = await upload(token, "image/jpeg", sent);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ contentType: "image/jpeg", ...dimensions.jpeg });
    expect(uploaded.body.url).toBe(`/media/${uploaded.body.id}`);

    const { response, bytes } = await fetchImage(uploaded.body.url);
    expect(response.status).toBe(200);
    expect(bytes.length).toBe(uploaded.body.bytes);
    expect(bytes.length).toBeLessThan(sent.length);
    const after = await exifr.parse(bytes, { gps: true, xmp: true, iptc: true });
    expect(after).toBeUndefined();
    expect(Buffer.from(bytes).includes("Ada Lovelace")).toBe(false);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/jpeg",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": "public, max-age=31536000, immutable",
    });
  });

  it("stores PNG, WebP and GIF uploads without their text, EXIF and comments", async () => {
    const { token } = await flock.api.signUp("painter");
    const cases = [
      ["image/png", pngWithText("Author", "Ada Lovelace"), dimensions.png],
      ["image/webp", image("webp"), dimensions.webp],
      ["image/gif", gifWithComment("Ada Lovelace"), dimensions.gif],
    ] as const;
    for (const [type, bytes, size] of cases) {
      const uploaded = await upload(token, type, bytes);
      expect(uploaded, type).toMatchObject({ status: 201, body: { contentType: type, ...size } });
      const served = await fetchImage(uploaded.body.url);
      expect(served.response.headers.get("content-type")).toBe(type);
      expect(Buffer.from(served.bytes).includes("Ada Lovelace"), type).toBe(false);
    }
  });

  it("serves a byte range of an image", async () => {
    const { token } = await flock.api.signUp("ranger");
    const uploaded = await upload(token, "image/png", image("png"));
    const { response, bytes } = await fetchImage(uploaded.body.url, { range: "bytes=1-3" });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 1-3/${uploaded.body.bytes}`);
    expect(Buffer.from(bytes).toString("latin1")).toBe("PNG");
  });

  it("refuses what is not an image, a type the bytes contradict, a broken image, a big one and a stranger", async () => {
    const { token } = await flock.api.signUp("refused");
    const cases: Array<[string | null, string, Uint8Array, number]> = [
      [
        token,
        "image/svg+xml",
        new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"),
        415,
      ],
      [token, "image/jpeg", image("png"), 415],
      [token, "application/json", new TextEncoder().encode("{}"), 415],
      [token, "image/png", image("png").subarray(0, 40), 422],
      [token, "image/png", new Uint8Array(5 * 1024 * 1024 + 10), 413],
      [null, "image/png", image("png"), 401],
    ];
    for (const [who, type, bytes, status] of cases) {
      const answer = await upload(who, type, bytes);
      expect([answer.status, answer.type], `${type} ${bytes.length}`).toEqual([
        status,
        "application/problem+json",
      ]);
    }
  });

  it("answers an unknown image with a 404 problem, not the web app", async () => {
    const { response } = await fetchImage("/media/01JD0000000000000000000000");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});
