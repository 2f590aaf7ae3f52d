// The seed platform's Pulumi program: stack config (stacks/Pulumi.<stack>.yaml) -> the platform
// for the current phases. The module's export is the program function: `pulumi` calls it and
// makes what it returns the stack outputs (environment, phases, ledger, placement), and the
// stepwise command line calls it once per configuration to plan a transition offline. It is
// `export =`, not `export default`: pulumi calls a CommonJS program's exports only when they are
// the function itself.
import { stepwiseProgram } from "./api/program";

export = () => stepwiseProgram();
