/**
 * Seeded planning instances for tests and the bench: technicians with skills and
 * day/late shifts on weekdays, assets with planned stops and a downtime rate, spare
 * parts with stock and lead times, and tasks with skills, parts, earliest starts and
 * deadlines. `congested` gives more work than the technicians can do, fewer assets (so
 * tasks compete for them) and scarce parts: the instances whose LP relaxation is fractional.
 */
import type { MaintenanceTask, Priority } from "../../nodes/shared/contract";
import { HOUR_MS, Interval, PlanningInput, ProductionWindows, SparePart, Technician } from "../../nodes/planner/instance";

export interface InstanceSize {
  tasks: number;
  technicians: number;
  horizonH: number;
  seed: number;
  congested?: boolean;
}

/** Monday 5 January 2026, 00:00 UTC. */
export const MONDAY = Date.UTC(2026, 0, 5);

/** Small, fast, reproducible random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SKILLS = ["mechanical", "electrical", "vibration", "hydraulic"];
const PRIORITIES: Priority[] = ["low", "medium", "medium", "high", "urgent"];

export function generateInstance(size: InstanceSize): PlanningInput {
  const random = rng(size.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const now = MONDAY;
  const days = Math.ceil(size.horizonH / 24);

  const technicians: Technician[] = Array.from({ length: size.technicians }, (_, k) => {
    const skills = [SKILLS[k % SKILLS.length], ...SKILLS.filter(() => random() < 0.35)];
    const shiftStartH = k % 3 === 2 ? 14 : 6;
    const shifts: Interval[] = [];
    for (let d = 0; d < days; d++) {
      const weekday = d % 7;
      if (weekday >= 5) continue;
      const start = now + (d * 24 + shiftStartH) * HOUR_MS;
      shifts.push({ start, end: start + 8 * HOUR_MS });
    }
    return { id: `tech-${k + 1}`, skills: [...new Set(skills)], shifts, hourlyCost: between(40, 90) };
  });
  // Every skill somewhere in the team, so "nobody has the skill" comes only from tests that want it.
  for (const skill of SKILLS) {
    if (!technicians.some((t) => t.skills.includes(skill))) pick(technicians).skills.push(skill);
  }

  const assetCount = Math.max(2, Math.ceil(size.tasks / (size.congested ? 4 : 2.5)));
  const windows: ProductionWindows[] = Array.from({ length: assetCount }, (_, a) => {
    const stops: Interval[] = [];
    for (let d = a % 2; d < days; d += 2) {
      const start = now + (d * 24 + between(4, 12)) * HOUR_MS;
      stops.push({ start, end: start + between(4, 10) * HOUR_MS });
    }
    return { asset: `asset-${a + 1}`, downtimeCostPerH: between(100, 1500), stops };
  });

  const parts: SparePart[] = Array.from({ length: 6 }, (_, p) => ({
    part: `part-${p + 1}`,
    stock: size.congested ? between(0, 2) : between(1, 4),
    leadTimeH: between(12, Math.max(24, size.horizonH / 2)),
  }));

  const tasks: MaintenanceTask[] = Array.from({ length: size.tasks }, (_, t) => {
    const durationH = size.congested ? between(2, 7) : between(1, 4);
    const earliestH = between(0, Math.floor(size.horizonH * 0.4));
    const slackH = size.congested ? between(20, 72) : between(36, size.horizonH);
    const skills = random() < 0.2 ? [pick(SKILLS), pick(SKILLS)] : [pick(SKILLS)];
    const taskParts = random() < (size.congested ? 0.5 : 0.3) ? [{ part: pick(parts).part, quantity: 1 }] : [];
    return {
      id: `task-${t + 1}`,
      asset: `asset-${between(1, assetCount)}`,
      cause: "generated",
      action: "inspect and repair",
      priority: pick(PRIORITIES),
      durationH,
      skills: [...new Set(skills)],
      parts: taskParts,
      earliestStart: now + earliestH * HOUR_MS,
      deadline: now + Math.min(size.horizonH, earliestH + durationH + slackH) * HOUR_MS,
      pFail: Math.round(random() * 100) / 100,
    };
  });

  return { now, tasks, technicians, windows, parts, started: [] };
}
