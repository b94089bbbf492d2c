'use client'
import { useState } from 'react'
import { ErrorMessage } from '../../components/ErrorBoundary'
import { useCreateLead, useProjectFeed } from '../../lib/api/hooks/useProjects'

export default function ConsumerPage() {
  const [city, setCity] = useState('')

  const feed = useProjectFeed({ city: city || undefined })
  const projects = feed.data?.items ?? []

  const createLead = useCreateLead()
  const enquire = (projectId: number) => {
    const name = prompt('Your name?')
    const phone = prompt('Your phone number?')
    createLead.mutate({name, phone, project_id: projectId}, { onSuccess: () => alert('Thanks! An agent will call you.') })
  }

  if (feed.isPending) return <p>Loading projects…</p>
  if (feed.isError) return <ErrorMessage error={feed.error} />

  return (
    <div>
      <h1>New homes near you</h1>
      <input placeholder="City" value={city} onChange={e => setCity(e.target.value)} />
      {projects.map(p => (
        <div key={p.id} style={{border: '1px solid #eee', margin: 8, padding: 8}}>
          <h3>{p.name}</h3>
          <p>{p.city} · from ₹{p.price_from.toLocaleString()} · trust {p.trust_score}</p>
          <button onClick={() => enquire(p.id)}>Enquire</button>
        </div>
      ))}
    </div>
  )
}
