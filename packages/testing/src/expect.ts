/** Runs an operation expected to fail and returns its AppError code (or the error's text). */
export async function failureCode(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error("expected the operation to fail");
}
