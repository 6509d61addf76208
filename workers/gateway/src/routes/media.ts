import { IdParam, MAX_UPLOAD_BYTES, MediaType, Upload } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { createRoute } from "@hono/zod-openapi";
import { signedIn } from "../middleware";
import { anyone, bearer, json, problems, router } from "../openapi";
import { call, callContext } from "../rpc";

const binary = { schema: { type: "string" as const, format: "binary" } };

function tooLarge(): AppError {
  return new AppError(
    "payload_too_large",
    `Images are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB.`,
  );
}

/**
 * POST /v1/media: the body goes to the media service as a stream, not read here. A content-length
 * over the limit is refused before a byte is read; a body longer than it said (or of unknown length)
 * is cut off by the media service at the limit.
 */
export const uploads = router().openapi(
  createRoute({
    method: "post",
    path: "/",
    operationId: "uploadMedia",
    tags: ["media"],
    summary: "Upload an image (JPEG, PNG, WebP or GIF, up to 5 MiB) to attach to a post or avatar",
    description:
      "The body is the image itself with its `content-type`. The type is read from the bytes: a " +
      "mismatch or anything else is 415, a truncated or corrupt image 422. EXIF, XMP, GPS and text " +
      "chunks are removed before the image is stored. An upload not attached within a day is deleted.",
    security: bearer,
    middleware: [signedIn],
    request: {
      body: {
        required: true,
        content: Object.fromEntries(MediaType.options.map((type) => [type, binary])),
      },
    },
    responses: {
      201: json(Upload, "The stored image"),
      ...problems(401, 403, 413, 415, 422, 429, 503),
    },
  }),
  async (c) => {
    const length = Number(c.req.header("content-length") ?? Number.NaN);
    if (length > MAX_UPLOAD_BYTES) throw tooLarge();
    const body = c.req.raw.body ?? new Response(new Uint8Array()).body;
    if (!body) throw tooLarge();
    const contentType = c.req.header("content-type") ?? "";
    const upload = await call(c, "media", c.env.MEDIA.upload(callContext(c), contentType, body));
    return c.json(upload, 201);
  },
);

/**
 * GET /media/:id: forwarded whole to the media service, which answers with the bytes (or a range)
 * and their headers; an image it does not serve is a 404 problem here.
 */
export const images = router().openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    operationId: "getMedia",
    tags: ["media"],
    summary: "An uploaded image, with its stored type; byte ranges are served too",
    security: anyone,
    request: { params: IdParam },
    responses: {
      200: {
        description: "The image",
        content: Object.fromEntries(MediaType.options.map((type) => [type, binary])),
      },
      206: { description: "The requested range of the image" },
      304: { description: "Not modified since the ETag sent" },
      404: problems(404)[404] ?? { description: "Not found" },
      416: { description: "The range starts past the end of the image" },
    },
  }),
  async (c) => {
    const response = await c.env.MEDIA.fetch(c.req.raw);
    if (response.status === 404) throw new AppError("not_found", "No such image.");
    return response;
  },
);
