import type { ReactNode } from "react";

import { Providers } from "./providers";

export const metadata = {
  title: "Propmubi",
  description: "Find trusted new homes",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "sans-serif", margin: 0 }}>
        <header style={{ padding: 16, borderBottom: "1px solid #ddd" }}>
          <a href="/consumer">Homes</a> | <a href="/agent">Agents</a>
        </header>
        <main style={{ padding: 16 }}>
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
