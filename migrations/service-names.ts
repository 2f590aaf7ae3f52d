// Service names the migration paths give to the implementations they run side by side. Pure
// constants: the program names its services with them and the policy checks recognise them.

/** Name of the modular monolith's service (consolidation path). */
export const MONOLITH_SERVICE = "modular-monolith";
/** The new implementation of service S runs as `S-next` beside S (api path). */
export const NEXT_SUFFIX = "-next";
