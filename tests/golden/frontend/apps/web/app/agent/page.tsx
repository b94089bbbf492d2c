'use client'
import { ErrorMessage } from '../../components/ErrorBoundary'
import { useAgentLeads, useMarkContacted } from '../../lib/api/hooks/useAgents'

export default function AgentPage() {
  const agentId = 1 // TODO: take from login

  const leadsQuery = useAgentLeads(agentId)
  const leads = leadsQuery.data ?? []

  const contacted = useMarkContacted(agentId)
  const markContacted = (leadId: number) => contacted.mutate(leadId)

  if (leadsQuery.isPending) return <p>Loading leads…</p>
  if (leadsQuery.isError) return <ErrorMessage error={leadsQuery.error} />

  return (
    <div>
      <h1>My leads</h1>
      <table>
        <thead><tr><th>Name</th><th>Phone</th><th>Project</th><th>Status</th><th></th></tr></thead>
        <tbody>
          {leads.map(l => (
            <tr key={l.id}>
              <td>{l.name}</td><td>{l.phone}</td><td>{l.project_id}</td><td>{l.status}</td>
              <td><button onClick={() => markContacted(l.id)}>Contacted</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
