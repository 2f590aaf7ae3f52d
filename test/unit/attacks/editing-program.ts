/**
 * The platform program, which also saves an edit into the stack file named by
 * STEPWISE_TEST_EDIT_FILE when it runs: someone editing the file while `advance` is planning.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { seedProgram } from "../../support/seed-platform";

export const SAVED_MEANWHILE = "# saved by someone else while advance was planning\n";

export default function editingProgram(): unknown {
  const file = process.env.STEPWISE_TEST_EDIT_FILE;
  if (file !== undefined && !readFileSync(file, "utf8").includes(SAVED_MEANWHILE)) {
    appendFileSync(file, SAVED_MEANWHILE);
  }
  return seedProgram();
}
