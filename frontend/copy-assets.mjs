// Copies the non-TypeScript assets (CSS, icons) next to the compiled scripts.
import { cpSync, mkdirSync, readdirSync } from "node:fs";
mkdirSync("dist", { recursive: true });
for (const name of readdirSync("src")) {
  if (!name.endsWith(".ts")) cpSync(`src/${name}`, `dist/${name}`, { recursive: true });
}
