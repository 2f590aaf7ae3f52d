// The plan's types and parser live with the components that distribute tables (they are pure and
// the program reads the plan from stack config); the tools keep importing them from here.
export * from "../../components/database/distribution-plan";
