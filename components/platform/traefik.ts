/** One Traefik route into a service (IngressRoute, websecure or web entry point). */
export interface IngressRule {
  readonly service: string;
  readonly host: string;
  /** @default "/" */
  readonly pathPrefix?: string;
  /** @default ["web"] */
  readonly entryPoints?: readonly string[];
}

/** The IngressRoute spec; the rule syntax is Traefik v3's (Host(`…`) && PathPrefix(`…`)). */
export function ingressRouteSpec(rule: IngressRule, servicePort: number): Record<string, unknown> {
  const match = `Host(\`${rule.host}\`) && PathPrefix(\`${rule.pathPrefix ?? "/"}\`)`;
  return {
    entryPoints: [...(rule.entryPoints ?? ["web"])],
    routes: [{ kind: "Rule", match, services: [{ name: rule.service, port: servicePort }] }],
  };
}
