// The seed platform's Pulumi program, built with stepwise-iac's public API only: the stack's
// config (stacks/Pulumi.<stack>.yaml) -> its four services and topics on the platforms of the
// current phases. The export is the program function (`export =`, not `export default`: pulumi
// calls a CommonJS program's exports only when they are the function itself); the stepwise
// command line calls the same function once per configuration to plan a transition offline.
import { stepwiseProgram } from "stepwise-iac";
import { SEED_PLATFORM } from "./services";

export = () => stepwiseProgram(SEED_PLATFORM);
