'use client'
import { useEffect, useState } from 'react'

export default function AgentPage() {
  const [leads, setLeads] = useState<any[]>([])
  const agentId = 1 // TODO: take from login

  useEffect(() => {
    fetch(`http://localhost:8000/agent/${agentId}/leads`)
      .then(res => res.json())
      .then(data => setLeads(data))
  }, [])

  const markContacted = async (leadId: number) => {
    await fetch(`http://localhost:8000/agent/${agentId}/leads/${leadId}/contacted`, {method: 'POST'})
    const res = await fetch(`http://localhost:8000/agent/${agentId}/leads`)
    setLeads(await res.json())
  }

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
