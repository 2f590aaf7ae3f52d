// The seed platform's Pulumi program: stack config (stacks/Pulumi.<stack>.yaml) -> the platform
// for the current phases. The default export is the program function: `pulumi` calls it and
// makes what it returns the stack outputs (environment, phases, ledger, placement), and the
// stepwise command line calls it once per configuration to plan a transition offline.
import { stepwiseProgram } from "./migrations/program";

export default () => stepwiseProgram();
