// `npm run test:realworld`: runs the official RealWorld ("Conduit") API suite against flock's /api.
// Starts every worker in one `wrangler dev` on a free port with fresh local state in a temp folder,
// applies every D1 migration there, runs the suite's Bruno collection (../shared/realworld/bruno),
// prints how many requests and assertions passed and failed, and exits non-zero on any failure.
import { spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type LocalFlock, startLocalFlock } from "./local-flock.ts";
import { quietEnv } from "./run.ts";

const root = path.resolve(import.meta.dirname, "..");
const suite = path.resolve(root, "../shared/realworld");

// Bruno's own entry point, run on this Node (22), whatever else is first on the PATH.
const bruJs = path.join(root, "node_modules/@usebruno/cli/bin/bru.js");

type Summary = Record<
  | "totalRequests"
  | "passedRequests"
  | "failedRequests"
  | "errorRequests"
  | "skippedRequests"
  | "totalAssertions"
  | "passedAssertions"
  | "failedAssertions"
  | "totalTests"
  | "passedTests"
  | "failedTests"
  | "failedPreRequestTests"
  | "failedPostResponseTests",
  number
>;

type Check = { status: string; description?: string; error?: string };

type Result = {
  test?: { filename?: string };
  request?: { method?: string };
  response?: { status?: number };
  error?: string | null;
  assertionResults?: Array<Check & { lhsExpr?: string; rhsExpr?: string }>;
  testResults?: Check[];
  preRequestTestResults?: Check[];
  postResponseTestResults?: Check[];
};

/** Bruno's JSON report: one entry per iteration, each with a summary and its results. */
function readReport(file: string): { summary: Summary; results: Result[] } {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  const [report] = Array.isArray(parsed) ? parsed : [parsed];
  return report as { summary: Summary; results: Result[] };
}

/** Every failed assertion, test and script expectation (the suite's `expect`s), one line each. */
function failures(results: Result[]): string[] {
  return results.flatMap((result) => {
    const name = `${result.test?.filename ?? "?"} (${result.request?.method ?? ""} → ${result.response?.status ?? "-"})`;
    const failed = [
      ...(result.error ? [result.error] : []),
      ...(result.assertionResults ?? [])
        .filter((assertion) => assertion.status !== "pass")
        .map((assertion) => `${assertion.lhsExpr} ${assertion.rhsExpr}: ${assertion.error ?? ""}`),
      ...[
        ...(result.testResults ?? []),
        ...(result.preRequestTestResults ?? []),
        ...(result.postResponseTestResults ?? []),
      ]
        .filter((test) => test.status !== "pass")
        .map((test) => `${test.description ?? ""}: ${test.error ?? ""}`),
    ];
    return failed.map((reason) => `  ✗ ${name}: ${reason}`);
  });
}

if (!existsSync(path.join(suite, "bruno"))) {
  console.error(`The RealWorld suite is not at ${suite}/bruno.`);
  process.exit(1);
}
if (!existsSync(path.join(root, ".dev.vars"))) {
  copyFileSync(path.join(root, ".dev.vars.example"), path.join(root, ".dev.vars"));
  console.log("Created .dev.vars from .dev.vars.example (local development secrets).");
}

const work = mkdtempSync(path.join(tmpdir(), "flock-realworld-"));
const state = path.join(work, "state");
let flock: LocalFlock | null = null;
let exitCode = 1;
const interrupted = () => {
  void (flock ? flock.stop() : Promise.resolve()).finally(() => process.exit(130));
};
process.once("SIGINT", interrupted);
process.once("SIGTERM", interrupted);

try {
  flock = await startLocalFlock({ state, log: path.join(work, "wrangler-dev.log") });
  const base = flock.url;
  console.log(`flock is up at ${base} (log: ${flock.log})`);

  // The shared suite is read-only; Bruno runs from a copy it may write to.
  const collection = path.join(work, "bruno");
  cpSync(path.join(suite, "bruno"), collection, { recursive: true });
  const reportFile = path.join(work, "report.json");
  const bruExit = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        bruJs,
        "run",
        "-r",
        "--env",
        "local",
        "--env-var",
        `host=${base}`,
        "--reporter-json",
        reportFile,
        "--reporter-skip-body",
      ],
      { cwd: collection, env: quietEnv, stdio: ["ignore", "pipe", "inherit"] },
    );
    // Bruno's own listing of every request is long: the report holds it, summed up below.
    child.stdout?.resume();
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });

  const { summary, results } = readReport(reportFile);
  const failed = failures(results);
  console.log("RealWorld API suite (Bruno collection):");
  console.log(
    `  requests:   ${summary.passedRequests} passed, ${summary.failedRequests + summary.errorRequests} failed, ${summary.skippedRequests} skipped (of ${summary.totalRequests})`,
  );
  console.log(
    `  assertions: ${summary.passedAssertions} passed, ${summary.failedAssertions} failed (of ${summary.totalAssertions})`,
  );
  // The suite checks bodies with `expect`s in post-response scripts; Bruno stops a script at its
  // first failed one and fails the request, but leaves it out of the summary's counts.
  const scriptErrors = results.filter((result) =>
    (result.postResponseTestResults ?? []).some((test) => test.status !== "pass"),
  ).length;
  console.log(`  response scripts (the suite's expect checks): ${scriptErrors} failed`);
  if (failed.length > 0) console.log(failed.join("\n"));
  const allPassed =
    bruExit === 0 &&
    summary.totalRequests > 0 &&
    summary.passedRequests === summary.totalRequests &&
    summary.failedAssertions === 0 &&
    summary.failedTests === 0 &&
    summary.failedPreRequestTests === 0 &&
    summary.failedPostResponseTests === 0 &&
    scriptErrors === 0;
  exitCode = allPassed ? 0 : 1;
} catch (error) {
  console.error(`RealWorld suite not run to the end: ${String(error)}`);
  exitCode = 1;
} finally {
  if (flock) await flock.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
