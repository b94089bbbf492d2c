"use client";
import { useState, type FormEvent } from "react";

import { ErrorMessage } from "../../components/ErrorBoundary";
import { useCreateLead, useProjectFeed } from "../../lib/api/hooks/useProjects";

export default function ConsumerPage() {
  const [city, setCity] = useState("");
  const feed = useProjectFeed({ city: city || undefined });
  const createLead = useCreateLead();
  const [enquiring, setEnquiring] = useState<number | null>(null);

  const enquire = (event: FormEvent<HTMLFormElement>, projectId: number) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    createLead.mutate(
      { name: String(form.get("name")), phone: String(form.get("phone")), project_id: projectId },
      { onSuccess: () => setEnquiring(null) },
    );
  };

  return (
    <div>
      <h1>New homes near you</h1>
      <input placeholder="City" value={city} onChange={(e) => setCity(e.target.value)} />
      {feed.isPending ? <p>Loading projects…</p> : null}
      {feed.isError ? <ErrorMessage error={feed.error} /> : null}
      {createLead.isSuccess ? <p>Thanks! An agent will call you.</p> : null}
      {createLead.isError ? <ErrorMessage error={createLead.error} /> : null}
      {feed.data?.items.map((p) => (
        <div key={p.id} style={{ border: "1px solid #eee", margin: 8, padding: 8 }}>
          <h3>{p.name}</h3>
          <p>
            {p.city} · from ₹{p.price_from.toLocaleString()} · trust {p.trust_score}
          </p>
          {enquiring === p.id ? (
            <form onSubmit={(e) => enquire(e, p.id)}>
              <input name="name" placeholder="Your name" required />
              <input name="phone" placeholder="Your phone number" required />
              <button type="submit" disabled={createLead.isPending}>
                Send
              </button>
            </form>
          ) : (
            <button onClick={() => setEnquiring(p.id)}>Enquire</button>
          )}
        </div>
      ))}
    </div>
  );
}
