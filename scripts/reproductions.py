#!/usr/bin/env python3
"""Runs every preset of experiments/ (or the ones named) and writes docs/reproductions.md from the runs.

Each section is made from the run itself: the preset's comment, the rendered overview figure
(rsvg-convert → docs/img/<name>.png), the final objective against the theory, the last NC metrics per
level, and the wall time. Nothing in the document is typed by hand except NOTES below, which say where
and why a run differs from the paper.

Usage: python3 scripts/reproductions.py [--skip-run] [--kind ufm|train|all] [NAME ...]
"""
import argparse, csv, json, os, re, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "collapse")

SWEEPS = {"minority-collapse-ufm", "minority-collapse-deep-linear"}

NOTES = {
    "tirer2022-fig5-mse": "Scaled down to run in minutes: ResNet18 at width 16 (not 64), 100 digits per class of the "
                          "5,000 real MNIST digits (not all 60,000), 60 epochs. NC1 falls with depth and over epochs as "
                          "in the paper. The uncentered NC2 (orthogonal frame) and NC3 stay large at every stage: the "
                          "pooled post-ReLU features carry a large common mean, so the class-mean Gram matrix is "
                          "dominated by one direction, and 60 epochs on 1,000 digits do not remove it; the centered "
                          "forms (NC2-ETF, NC3-centered) do fall at the last stage. Longer training at full width is "
                          "not measured here.",
    "tirer2022-fig5-ce": "Same scaling as the MSE preset (width 16, 1,000 digits, 60 epochs), cross-entropy with a "
                         "classifier bias; with a bias the relevant geometry is the simplex ETF (NC2-ETF, NC3-centered).",
    "fashion-mnist-minority-collapse": "The paper trains VGG11/ResNet18 on all of Fashion-MNIST's minority and majority "
                                       "images for 350 epochs with weight decay 5e-4; here 2,525 images, 40 epochs and weight "
                                       "decay 5e-3 (at ratio 10 and 5e-4, measured before, the minority rows ended only 10–30 % "
                                       "shorter than the majority ones). What collapses is what the MSE theory predicts: the "
                                       "minority rows shrink towards 0 (the soft threshold of docs/theory.md §9) and the minority "
                                       "classes are never predicted, on test images nor on their own training images: the "
                                       "network gives them up entirely, as the UFM does below n_k = N²λ_Hλ_W, so the terminal "
                                       "phase (100 % training accuracy) is never reached. With the paper's weight decay 5e-4 at the "
                                       "same ratio (measured once, by a build without the per-class accuracy columns) the run "
                                       "fits its training images (eval-mode accuracy 99.9 %) while the test accuracy is 41.4 %, "
                                       "about what the majority classes alone give, and the minority rows end at 0.26–0.31 "
                                       "against 0.54–0.71: Fang et al.'s form, fitted but not generalized. "
                                       "The minority rows stay mutually orthogonal (angle near 90°): with MSE and no bias the "
                                       "rows of a general orthogonal frame shrink rather than merge; the merging of the rows "
                                       "(the angle falling) is the cross-entropy form of minority collapse in Fang et al. The "
                                       "minority class means shrink with their rows but do not vanish (‖μ_k‖ 1.6–1.7 against "
                                       "2.7–2.9 at the end): the post-ReLU pooled features keep a common mean. The wall time is "
                                       "that of a run with one BLAS thread (--set run.threads=1) while a second training ran on the other core.",
    "fashion-mnist-depthwise": "Same scaling (width 16, 100 images per class, 60 epochs) on Fashion-MNIST.",
    "sukenik2023-mlp-head": "The paper uses ResNet20 backbones on CIFAR-10/MNIST with full data; here a width-16 ResNet18 "
                            "backbone, a bias-free head of 4 layers of width 64, 1,000 MNIST digits, 60 epochs. NC1 "
                            "decreases layer by layer through the head (stage4 → head4), as the deep UFM predicts, and so "
                            "does the orthogonal-frame distance NC2; but NC2 and NC3 stay far from 0 (about 1 at head4) "
                            "after 60 epochs: the geometric part of deep collapse is not reached at this scale.",
    "tirer2022-fig4": "Init N(0, 0.3²) instead of 0.1: at 0.1, seeds 0 and 2 stop at non-collapsed critical points "
                      "2–4% above the global value (NC1 stays near 1e-2), which the nonconvex ReLU landscape allows; "
                      "seeds 1 and 3 converge. Tirer & Bruna's Thm 4.2 is about global minimizers, which these are not.",
    "tirer2022-fig9": "Same as Fig. 4: at init 0.1 all three seeds tried stop 2–16% above the global value; at 0.3 seed 0 converges.",
    "sukenik2023-depth3": "Step size 0.5 (not 0.1) so that plain GD converges in 2·10⁵ steps at λ = 0.001.",
    "sukenik2023-depth5": "Step size 0.5 and init 0.3: with init 0.1 the signal through five layers is so small that GD "
                          "stays at the zero saddle (objective ≈ 0.256 after 10⁵ steps). Level 1 (H₁) is, as the paper "
                          "says, antipodal for K = 2 (a simplex ETF, NC2-ETF ≈ 0), not an orthogonal frame; the ReLU "
                          "levels 2…L are orthogonal frames.",
    "sukenik2024-lowrank": "The theory's value is only the DNC candidate's. Plain GD ends BELOW it (negative gap): a "
                           "lower-rank solution, which is Súkeník et al. 2024's point: the effective rank of the class means "
                           "(singular values above 1% of the largest) is 6 of 10 at levels 1–3, and the rank panel "
                           "(figures/means_rank_eff.svg) shows it fall. The run is not converged (‖∇f‖ ≈ 2e-2 after 10⁵ "
                           "steps), so the small directions are still shrinking: the numerical rank (round-off "
                           "tolerance) is still 9–10 there. Ranks and singular values per level: summary.json "
                           "final.levels; means_rank_l and means_rank_eff_l in metrics.csv.",
}

def presets(kind):
    out = subprocess.run([BIN, "reproduce", "--list"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ("[ufm]", "[train]"):
            k = parts[1][1:-1]
            if (kind == "all" or k == kind) and not parts[0].startswith("example-"):
                rows.append((parts[0], k))
    return rows

def comment(name):
    """The preset's leading comment as Markdown: paragraphs joined, bullet lists kept as lists
    (a line "- …" starts an item, an indented line continues it, an unindented one ends the list)."""
    raw = []
    with open(os.path.join(ROOT, "experiments", name + ".toml")) as f:
        for line in f:
            if not line.startswith("#"):
                break
            t = line[1:].rstrip("\n")
            raw.append(t[1:] if t.startswith(" ") else t)
    blocks = []  # (kind, [lines]) with kind "p" or "li"
    for t in raw:
        s = t.strip()
        if s.startswith("Runtime here"):
            continue
        if not s:
            blocks.append(("break", []))
        elif s.startswith("- "):
            blocks.append(("li", [s[2:]]))
        elif t.startswith("  ") and blocks and blocks[-1][0] == "li":
            blocks[-1][1].append(s)
        elif blocks and blocks[-1][0] == "p":
            blocks[-1][1].append(s)
        else:
            blocks.append(("p", [s]))
    out, prev = [], None
    for kind, lines in blocks:
        if kind == "break":
            prev = None
            continue
        text = " ".join(lines)
        if out and not (kind == "li" and prev == "li"):
            out.append("")
        out.append(("- " + text) if kind == "li" else text)
        prev = kind
    return "\n".join(out)

def last_metrics(run):
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.reader(f))
    header, last = rows[0], rows[-1]
    return dict(zip(header, last)), header

def first_measured(run):
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if any(k.startswith("nc1_") and v not in ("", None) for k, v in r.items()):
            return r
    return {}

def section(name, kind, run, seconds):
    s = json.load(open(os.path.join(run, "summary.json")))
    final, theory = s.get("final", {}), s.get("theory", {})
    png = os.path.join("docs", "img", name + ".png")
    subprocess.run(["rsvg-convert", "-w", "1400", "-b", "white", os.path.join(run, "figures", "overview.svg"),
                    "-o", os.path.join(ROOT, png)], check=True)
    out = [f"## {name}", "", comment(name), "", f"![{name}](img/{name}.png)", ""]
    m, header = last_metrics(run)
    x = header[0]
    if kind == "ufm":
        obj = final.get("objective")
        out.append(f"- final objective: **{obj:.12g}** after {final.get('step')} steps")
        if theory.get("closed_form"):
            gap = final.get("gap_to_theory")
            rel = gap / abs(theory["objective"]) if theory["objective"] else gap
            out.append(f"- theory: {theory['objective']:.12g} ({theory['status']}; {theory['reference']}); "
                       f"gap f − f* = {gap:.3e} ({rel * 100:+.3g} %)")
        else:
            out.append(f"- theory: {theory.get('reason', 'no closed form')}")
        levels_ = final.get("levels") or []
        if levels_:
            out.append("- rank of the class means per level, centered / uncentered, of K = "
                       f"{len(levels_[0].get('uncentered_means_singular_values', []))} (numerical, σ > ε·max(d, K)·σ₁; "
                       "effective, σ > 1% σ₁): " + ", ".join(
                           f"level {l['level']}: {l['means_rank']} / {l['uncentered_means_rank']} "
                           f"(effective {l['means_effective_rank']} / {l['uncentered_means_effective_rank']})" for l in levels_))
        for w in s.get("warnings", []):
            out.append(f"- warning: {w}")
    else:
        tpe = s.get("terminal_phase_epoch")
        out.append(f"- after {final.get('epoch')} epochs: training accuracy {100 * final.get('accuracy', float('nan')):.1f} % "
                   f"(eval mode {100 * final.get('eval_accuracy', float('nan')):.1f} %), test accuracy "
                   f"{100 * final.get('test_accuracy', float('nan')):.1f} %; terminal phase (100 % training accuracy) "
                   + (f"from epoch {tpe:g}" if tpe is not None else "not reached"))
        first = first_measured(run)
        layers = s.get("model", {}).get("layers", [])
        out.append("- NC1 per layer, first → last measured epoch: " + ", ".join(
            f"{l} {float(first.get('nc1_' + l, 'nan')):.3g} → {float(m.get('nc1_' + l, 'nan')):.3g}" for l in layers))
        # Unbalanced training data: the per-class norms and the minority angle (docs/metrics.md, "Imbalance").
        if "minority_angle" in header and layers:
            counts = s.get("dataset", {}).get("train_per_class") or []
            ks = range(len([c for c in header if c.startswith("w_norm_c")]))
            def per_class(prefix):
                return ", ".join(f"{k}" + (f" (n={counts[k]:g})" if k < len(counts) else "") +
                                 f" {float(first.get(prefix(k), 'nan')):.3g} → {float(m.get(prefix(k), 'nan')):.3g}" for k in ks)
            out.append(f"- ‖μ_k‖ of {layers[-1]} per class, first → last measured epoch: " +
                       per_class(lambda k: f"mean_norm_c{k}_{layers[-1]}"))
            out.append("- ‖w_k‖ per class, first → last measured epoch: " + per_class(lambda k: f"w_norm_c{k}"))
            if "test_accuracy_c0" in header:
                out.append("- training (eval mode) → test accuracy per class at the last measured epoch: " + ", ".join(
                    f"{k} {100 * float(m.get(f'eval_accuracy_c{k}', 'nan')):.0f} % → {100 * float(m.get(f'test_accuracy_c{k}', 'nan')):.0f} %"
                    for k in ks))
            out.append(f"- minority angle (mean angle between minority classifier rows): "
                       f"{float(first.get('minority_angle', 'nan')):.3g} → {float(m.get('minority_angle', 'nan')):.3g} rad")
    out.append(f"- wall time here: {seconds:.1f} s (2 shared cores, release build)")
    # Levels only: not the per-class shares nc1_c{k}_<level> of unbalanced runs.
    levels = [c[len('nc1_'):] for c in header if c.startswith("nc1_") and not c.startswith(("nc1_trace", "nc1_topk"))
              and not re.match(r"nc1_c\d+_", c)]
    fams = ["nc1", "nc2_of", "nc2_etf", "nc3", "nc4"] + (["nc3_centered"] if kind == "train" else [])
    out += ["", f"Last logged {x}:", "", "| level | " + " | ".join(fams) + " |", "|---|" + "---|" * len(fams)]
    for l in levels:
        vals = []
        for f_ in fams:
            v = m.get(f"{f_}_{l}", "")
            vals.append(f"{float(v):.3e}" if v not in ("", None) else "–")
        out.append(f"| {l} | " + " | ".join(vals) + " |")
    if name in NOTES:
        out += ["", "**Differences from the paper and why.** " + NOTES[name]]
    return "\n".join(out) + "\n"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--skip-run", action="store_true", help="use the existing runs/<name> directories")
    ap.add_argument("--kind", default="ufm", choices=["ufm", "train", "all"])
    args = ap.parse_args()
    # Sweeps write their own sections (scripts/minority_sweep.py); their existing sections are kept.
    todo = [p for p in presets(args.kind) if p[0] not in SWEEPS]
    if args.names:
        todo = [p for p in todo if p[0] in args.names]
    sections, timing = {}, {}
    for name, kind in todo:
        run = os.path.join(ROOT, "runs", name)
        seconds = None
        if not args.skip_run:
            t0 = time.time()
            subprocess.run([BIN, "reproduce", name, "--out", run, "--force", "--quiet"], cwd=ROOT, check=True)
            seconds = time.time() - t0
        else:
            seconds = json.load(open(os.path.join(run, "summary.json"))).get("seconds", float("nan"))
            if isinstance(seconds, dict):  # trained networks: {"total", "training", "measurement", …}
                seconds = seconds.get("total", float("nan"))
        sections[name] = section(name, kind, run, seconds)
        print(f"{name}: {seconds:.1f} s", file=sys.stderr)
    path = os.path.join(ROOT, "docs", "reproductions.md")
    existing = open(path).read() if os.path.exists(path) else ""
    head = existing.split("\n## ")[0] if existing else "# Reproductions\n"
    old = {}
    for chunk in existing.split("\n## ")[1:]:
        old[chunk.split("\n", 1)[0].strip()] = "## " + chunk.rstrip() + "\n"
    old.update(sections)
    order = [p for p, _ in presets("all")]
    body = [old[n] for n in order if n in old]
    body += [old[n] for n in old if n not in order]  # hand-written sections (the sweeps) are kept, after the presets
    with open(path, "w") as f:
        f.write(head.rstrip() + "\n\n" + "\n".join(body))

if __name__ == "__main__":
    main()
