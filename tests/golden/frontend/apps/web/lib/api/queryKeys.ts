// Query keys in one place, so that invalidation and optimistic updates hit the right caches.
import type { FeedFilters } from "./types";

export const queryKeys = {
  projects: ["projects"] as const,
  projectFeed: (filters: FeedFilters) => ["projects", "feed", filters] as const,
  project: (id: number) => ["projects", "detail", id] as const,
  leads: ["leads"] as const,
  agentLeads: (agentId: number) => ["leads", "agent", agentId] as const,
};
