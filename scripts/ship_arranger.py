"""Copy a trained arranger run into ``src/orchestrion/assets/NAME`` with its model card.

    python scripts/ship_arranger.py bach-bilstm runs/bach-bilstm

Copies ``RUN/model`` (config.json, model.safetensors) and the run's ``metrics.csv``, scores
the model on its data set's test split (``orchestrion.pipelines.arranger.evaluate``, data
under the run's data root) and writes ``MODEL.md``: what the model is, the command that
trained it, the training figures and the test accuracy per part with the confusion matrix.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from orchestrion.models.checkpoint import CONFIG_FILE, WEIGHTS_FILE, assets_folder
from orchestrion.pipelines.arranger import evaluate

KINDS = {"lstm": "online LSTM (3 x 128)", "bilstm": "offline BiLSTM (3 x (64 + 64))",
         "transformer": "online transformer (3 blocks, d 128)",
         "bitransformer": "offline transformer (3 blocks, d 128)"}


def card(name: str, meta: dict, report: dict) -> str:
    config, training = meta["config"], meta["training"]
    codec = meta["codec"]["config"]
    inputs = ["pitch", "beat", "position"] + [label for key, label in (
        ("use_duration", "duration"), ("entry_hints", "entry hints"),
        ("pitch_hints", "pitch hints")) if config[key]]
    parts = ", ".join(f"{part} (program {program})"
                      for part, program in zip(codec["parts"], codec["programs"], strict=True))
    rows = [f"| {part} | {v['notes']:,} | {v['accuracy'] * 100:.2f} | "
            + " ".join(str(n) for n in report["confusion"][i]) + " |"
            for i, (part, v) in enumerate(report["per_part"].items())]
    return "\n".join([
        f"# {name}",
        "",
        f"An automatic-instrumentation model of orchestrion: an {KINDS[config['kind']]} that "
        f"reads {', '.join(inputs)} of every note of a one-part piece and predicts its part "
        f"among {parts}. Dong et al., ISMIR 2021 (arXiv 2107.05916); docs/arranger.md.",
        "",
        f"- Trained with: `{training['command']}`",
        f"- Data: {training['dataset']}, pieces {training['pieces']} (orchestrion's hash "
        f"splits, seed 0); random 500-note crops, transposed -5..+6",
        f"- Steps: {training['steps']} ({training['seconds'] / 60:.1f} min, "
        f"{training['steps_per_second']} steps/s on {training['device']}); best validation "
        f"at step {training['best_step']}: loss {training['val_loss']:.4f}, note accuracy "
        f"{training['val_accuracy'] * 100:.2f}% (first 2,000 notes of each piece)",
        f"- Parameters: {meta['parameters']} ({config['layers']} layers, hidden "
        f"{config['hidden']}, dropout {config['dropout']})",
        f"- Test split: **{report['accuracy'] * 100:.2f}%** of {report['notes']:,} notes in "
        f"{report['pieces']} pieces ({report['notes_per_second']:,} notes/s on one CPU "
        "process)",
        "",
        "| part | notes | accuracy % | confusion (predicted part 0, 1, ...) |",
        "|---|---|---|---|",
        *rows,
        "",
        "`metrics.csv` is the training log (train loss and accuracy every 10 steps, "
        "validation every 40).",
        "",
    ])


def main() -> int:
    name, run = sys.argv[1], Path(sys.argv[2])
    target = assets_folder() / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for file in (CONFIG_FILE, WEIGHTS_FILE):
        shutil.copy2(run / "model" / file, target / file)
    logs = sorted((run / "logs").glob("version_*/metrics.csv"))
    if logs:
        shutil.copy2(logs[-1], target / "metrics.csv")
    meta = json.loads((target / CONFIG_FILE).read_text(encoding="utf-8"))
    training = meta["training"]
    report = evaluate(target, training["dataset"], root=training["data_root"], progress=False)

    from orchestrion.pipelines.arranger import Arranger

    meta["parameters"] = f"{Arranger.load(target).model.num_parameters():,}"
    (target / "MODEL.md").write_text(card(name, meta, report), encoding="utf-8")
    print(f"{target}: test accuracy {report['accuracy'] * 100:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
