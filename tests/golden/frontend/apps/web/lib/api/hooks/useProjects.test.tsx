import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../client";
import { queryKeys } from "../queryKeys";
import type { Lead } from "../types";
import { useCreateLead, useProjectFeed } from "./useProjects";

function setup() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  return { client, wrapper };
}

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

const existing: Lead = { id: 1, name: "Asha", phone: "9800000001", project_id: 7, status: "new" };
const newLead = { name: "Ravi", phone: "9800000002", project_id: 7 };

afterEach(() => vi.unstubAllGlobals());

describe("useCreateLead", () => {
  it("shows the lead at once, then the server copy", async () => {
    let answer: (r: Response) => void = () => {};
    vi.stubGlobal(
      "fetch",
      vi.fn(
        () =>
          new Promise<Response>((resolve) => {
            answer = resolve;
          }),
      ),
    );
    const { client, wrapper } = setup();
    client.setQueryData(queryKeys.leads, [existing]);
    const { result } = renderHook(() => useCreateLead(), { wrapper });

    act(() => result.current.mutate(newLead));
    await waitFor(() => expect(client.getQueryData<Lead[]>(queryKeys.leads)).toHaveLength(2));
    const optimistic = client.getQueryData<Lead[]>(queryKeys.leads)![1];
    expect(optimistic).toMatchObject({ ...newLead, status: "new" });
    expect(optimistic.id).toBeLessThan(0);

    answer(reply(201, { ...newLead, id: 2, status: "new" }));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(client.getQueryData<Lead[]>(queryKeys.leads)!.map((l) => l.id)).toEqual([1, 2]);
  });

  it("rolls back and exposes the structured error when the server refuses", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        reply(422, {
          error: {
            status: 422,
            code: "validation_error",
            message: "the request is not valid",
            correlation_id: "cid-123",
          },
        }),
      ),
    );
    const { client, wrapper } = setup();
    client.setQueryData(queryKeys.leads, [existing]);
    const { result } = renderHook(() => useCreateLead(), { wrapper });

    act(() => result.current.mutate(newLead));
    await waitFor(() => expect(result.current.isError).toBe(true));
    const error = result.current.error as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.correlationId]).toEqual([
      422,
      "validation_error",
      "cid-123",
    ]);
    expect(client.getQueryData<Lead[]>(queryKeys.leads)).toEqual([existing]);
  });
});

describe("useProjectFeed", () => {
  it("asks for the city and deduplicates identical requests", async () => {
    const fetchMock = vi.fn(async () => reply(200, { items: [], total: 0 }));
    vi.stubGlobal("fetch", fetchMock);
    const { wrapper } = setup();
    const first = renderHook(() => useProjectFeed({ city: "Pune" }), { wrapper });
    const second = renderHook(() => useProjectFeed({ city: "Pune" }), { wrapper });
    await waitFor(() => expect(first.result.current.isSuccess).toBe(true));
    await waitFor(() => expect(second.result.current.isSuccess).toBe(true));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String((fetchMock.mock.calls[0] as unknown[])[0])).toContain(
      "/api/v1/projects/feed?city=Pune",
    );
  });
});
