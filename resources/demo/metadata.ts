// Synthetic item metadata of the demo dataset (written by generate.ts): items.csv with titles
// drawn from each topic's vocabulary and tiny SVG thumbnails, images/<item>.svg.
//
// - Titles use the words of the topic the item's TEXT describes (its textual features follow
//   that topic too, mislabelled ones included): textual neighbours share words.
// - Thumbnails: the shape and hue are the item's coarse group (what the visual features are
//   reliable about), the shade its topic within the group (the weak topic offset), and a dot in
//   one of four corners its topic-unrelated "style": visual neighbours look alike.
// Drawn from their own RNG stream, so the interaction and feature files do not change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng } from '../../src/main/engine/data/random';

/** Coarse groups: name, shape, hue. Topic t is in group t % 5, variant floor(t / 5). */
export const DEMO_GROUPS = [
  { name: 'Kitchen', shape: 'circle', hue: 4 },
  { name: 'Garden', shape: 'square', hue: 125 },
  { name: 'Travel', shape: 'triangle', hue: 210 },
  { name: 'Music', shape: 'diamond', hue: 280 },
  { name: 'Sports', shape: 'hexagon', hue: 32 },
] as const;

/** Topic vocabularies, by group then variant (topic = variant * 5 + group). */
export const DEMO_TOPICS: readonly (readonly { name: string; words: readonly string[] }[])[] = [
  [
    { name: 'Baking', words: ['sourdough', 'croissant', 'oven', 'dough', 'pastry', 'rye'] },
    { name: 'Coffee', words: ['espresso', 'roast', 'grinder', 'latte', 'arabica', 'brew'] },
    { name: 'Spices', words: ['saffron', 'cumin', 'paprika', 'pepper', 'cardamom', 'chili'] },
    { name: 'Cookware', words: ['skillet', 'wok', 'saucepan', 'cast-iron', 'ladle', 'knife'] },
  ],
  [
    { name: 'Roses', words: ['rose', 'petal', 'climbing', 'thorn', 'bloom', 'trellis'] },
    { name: 'Herbs', words: ['basil', 'thyme', 'rosemary', 'mint', 'sage', 'oregano'] },
    { name: 'Orchard', words: ['apple', 'pear', 'cherry', 'plum', 'grafting', 'blossom'] },
    { name: 'Cactus', words: ['cactus', 'succulent', 'agave', 'aloe', 'desert', 'spine'] },
  ],
  [
    { name: 'Beach', words: ['beach', 'lagoon', 'surf', 'coral', 'dune', 'tide'] },
    { name: 'Mountains', words: ['summit', 'glacier', 'alpine', 'ridge', 'trail', 'cabin'] },
    { name: 'City', words: ['skyline', 'museum', 'boulevard', 'metro', 'cafe', 'plaza'] },
    { name: 'Rail', words: ['railway', 'sleeper', 'locomotive', 'station', 'express', 'carriage'] },
  ],
  [
    { name: 'Jazz', words: ['jazz', 'saxophone', 'swing', 'bebop', 'trumpet', 'improvised'] },
    { name: 'Piano', words: ['piano', 'sonata', 'nocturne', 'keys', 'etude', 'concerto'] },
    { name: 'Guitar', words: ['guitar', 'riff', 'acoustic', 'flamenco', 'strings', 'blues'] },
    { name: 'Choir', words: ['choir', 'hymn', 'soprano', 'chorus', 'anthem', 'harmony'] },
  ],
  [
    { name: 'Tennis', words: ['tennis', 'racket', 'serve', 'volley', 'baseline', 'grass-court'] },
    { name: 'Cycling', words: ['cycling', 'peloton', 'saddle', 'gravel', 'sprint', 'derailleur'] },
    { name: 'Running', words: ['marathon', 'running', 'stride', 'track', 'pace', 'trainer'] },
    { name: 'Sailing', words: ['sailing', 'regatta', 'keel', 'spinnaker', 'harbour', 'mast'] },
  ],
];

const ADJECTIVES = ['Classic', 'Modern', 'Vintage', 'Essential', 'Deluxe', 'Little', 'Grand', 'Everyday'];

export function demoTopic(t: number): { group: (typeof DEMO_GROUPS)[number]; variant: number; name: string; words: readonly string[] } {
  const g = t % DEMO_GROUPS.length;
  const variant = Math.floor(t / DEMO_GROUPS.length);
  return { group: DEMO_GROUPS[g], variant, ...DEMO_TOPICS[g][variant] };
}

const SHAPES: Record<string, string> = {
  circle: '<circle cx="32" cy="32" r="22"',
  square: '<rect x="12" y="12" width="40" height="40"',
  triangle: '<path d="M32 9L56 53H8Z"',
  diamond: '<path d="M32 8L56 32L32 56L8 32Z"',
  hexagon: '<path d="M20 11H44L56 32L44 53H20L8 32Z"',
};
const CORNERS = [
  [7, 7],
  [57, 7],
  [57, 57],
  [7, 57],
];

/** A 64×64 thumbnail (~220 bytes, transparent background): group shape and hue, topic shade, style corner dot. */
export function demoThumbnail(topic: number, style: number): string {
  const { group, variant } = demoTopic(topic);
  const light = [30, 42, 54, 66][variant];
  const [cx, cy] = CORNERS[style % CORNERS.length];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `${SHAPES[group.shape]} fill="hsl(${group.hue},65%,${light}%)"/>` +
    `<circle cx="${cx}" cy="${cy}" r="4" fill="#333"/></svg>\n`
  );
}

const csv = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** What the metadata is drawn from: the generator's planted structure (its DemoData fits). */
export interface DemoItemsSource {
  config: { seed: number; nItems: number };
  itemTopic: Int32Array;
  itemTextTopic: Int32Array;
  itemStyle: Int32Array;
}

/** Write items.csv and images/<item>.svg (deterministic for the data). */
export function writeDemoMetadata(outDir: string, data: DemoItemsSource): void {
  const rng = createRng(data.config.seed + 7);
  const n = data.config.nItems;
  const dir = path.join(outDir, 'images');
  fs.mkdirSync(dir, { recursive: true });
  const lines = ['item,title,category,image,group,style'];
  for (let i = 0; i < n; i++) {
    const text = demoTopic(data.itemTextTopic[i]);
    const own = demoTopic(data.itemTopic[i]);
    const a = rng.int(text.words.length);
    let b = rng.int(text.words.length - 1);
    if (b >= a) b++;
    const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
    const title = `${ADJECTIVES[rng.int(ADJECTIVES.length)]} ${cap(text.words[a])} ${cap(text.words[b])}`;
    const image = `images/${i}.svg`;
    fs.writeFileSync(path.join(outDir, image), demoThumbnail(data.itemTopic[i], data.itemStyle[i]));
    lines.push([String(i), title, `${own.group.name} / ${own.name}`, image, own.group.name, `style ${data.itemStyle[i] + 1}`].map(csv).join(','));
  }
  fs.writeFileSync(path.join(outDir, 'items.csv'), `${lines.join('\n')}\n`);
}
