// The plan model lives in migrations/plan-model.ts (policies and tools both read it). This
// re-export only serves the importers not yet switched; import the model from there.
export type * from "../../migrations/plan-model";
