'use client'
import { useEffect, useState } from 'react'

export default function ConsumerPage() {
  const [projects, setProjects] = useState<any[]>([])
  const [city, setCity] = useState('')

  useEffect(() => {
    fetch('http://localhost:8000/projects/feed' + (city ? '?city=' + city : ''))
      .then(res => res.json())
      .then(data => setProjects(data.items))
      .catch(err => console.log(err))
  }, [city])

  const enquire = (projectId: number) => {
    const name = prompt('Your name?')
    const phone = prompt('Your phone number?')
    fetch('http://localhost:8000/crm/leads', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({name, phone, project_id: projectId}),
    }).then(() => alert('Thanks! An agent will call you.'))
  }

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
