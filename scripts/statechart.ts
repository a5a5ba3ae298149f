/** `npm run docs:statechart`: regenerates docs/lifecycle.md from the session machine. */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { lifecycleMarkdown } from './lifecycleMarkdown.js'

const target = fileURLToPath(new URL('../docs/lifecycle.md', import.meta.url))
writeFileSync(target, lifecycleMarkdown())
console.log(`wrote ${target}`)
