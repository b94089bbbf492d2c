"use client";
import { ErrorMessage } from "../../components/ErrorBoundary";
import { useAgentLeads, useMarkContacted } from "../../lib/api/hooks/useAgents";
import { useAuthStore } from "../../lib/store/authStore";

export default function AgentPage() {
  const agentId = useAuthStore((state) => state.user?.agentId ?? null);
  const leads = useAgentLeads(agentId);
  const markContacted = useMarkContacted(agentId ?? -1);

  if (agentId === null) return <p>Sign in as an agent to see your leads.</p>;

  return (
    <div>
      <h1>My leads</h1>
      {leads.isPending ? <p>Loading leads…</p> : null}
      {leads.isError ? <ErrorMessage error={leads.error} /> : null}
      {markContacted.isError ? <ErrorMessage error={markContacted.error} /> : null}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Phone</th>
            <th>Project</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {leads.data?.map((l) => (
            <tr key={l.id}>
              <td>{l.name}</td>
              <td>{l.phone}</td>
              <td>{l.project_id}</td>
              <td>{l.status}</td>
              <td>
                <button
                  onClick={() => markContacted.mutate(l.id)}
                  disabled={l.status === "contacted"}
                >
                  Contacted
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
