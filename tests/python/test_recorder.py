"""HistoryRecorder writes history format v1 exactly and rejects a malformed step at the call that
logs it, naming the field, as the CLI's reader does (docs/checker.md#history-format-v1)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from rwttt import FieldError, HistoryRecorder, Request, read_trace, write_trace

HEADER = ('{"format":"rwttt-history","version":1,"policy":"mine","seed":null,"backend":"cpu",'
          '"trace":null,"model":null,"hardware":null,"chunk":4}')

# docs/checker.md's worked example (one owner, C = 4, one output token), line for line.
WORKED_EXAMPLE = [
    '{"step":0,"owner":0,"effect":"READ","version":0,"tokens":[0,4],"start_ns":0,"end_ns":10,'
    '"slot":0,"seen_owner":0,"seen_version":0}',
    '{"step":1,"owner":0,"effect":"WRITE","version":0,"tokens":[0,4],"start_ns":10,"end_ns":20,'
    '"slot":0,"seen_owner":0,"seen_version":0,"commit_slot":0,"commit_version":1}',
    '{"step":2,"owner":0,"effect":"READ","version":1,"tokens":[4,5],"start_ns":20,"end_ns":30,'
    '"slot":0,"seen_owner":0,"seen_version":1}',
]


def lines(path: os.PathLike) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def test_writes_the_worked_example_line_for_line(tmp_path):
    path = tmp_path / "h.jsonl"
    with HistoryRecorder(path, policy="mine", chunk=4, backend="cpu") as rec:
        assert rec.read(0, 0, (0, 4), start_ns=0, end_ns=10, slot=0, seen=(0, 0)) == 0
        assert rec.write(0, 0, (0, 4), start_ns=10, end_ns=20, slot=0, seen=(0, 0),
                         commit=(0, 1)) == 1
        assert rec.read(0, 1, (4, 5), start_ns=20, end_ns=30, slot=0, seen=(0, 1)) == 2
    assert lines(path) == [HEADER] + WORKED_EXAMPLE


def test_batch_stamps_one_id_and_interval_on_every_step(tmp_path):
    path = tmp_path / "h.jsonl"
    with HistoryRecorder(path, policy="mine", chunk=4) as rec:
        with rec.batch(0, 10) as b:
            b.read(0, 0, (0, 4), slot=0, seen=(0, 0))
            b.read(1, 0, (0, 2), slot=1, seen=(1, 0))
        with rec.batch(10, 20) as b2:
            b2.write(0, 0, (0, 4), slot=0, seen=(0, 0), commit=(0, 1))
    steps = [json.loads(line) for line in lines(path)[1:]]
    assert [(s["step"], s["batch"], s["start_ns"], s["end_ns"]) for s in steps] == [
        (0, 0, 0, 10), (1, 0, 0, 10), (2, 1, 10, 20)]
    assert b.steps == [0, 1] and b2.steps == [2]
    assert list(steps[0]) == ["step", "batch", "owner", "effect", "version", "tokens", "start_ns",
                              "end_ns", "slot", "seen_owner", "seen_version"]


def test_a_batch_refuses_steps_after_its_block_and_its_own_fields(tmp_path):
    with HistoryRecorder(tmp_path / "h.jsonl", policy=None, chunk=None) as rec:
        with rec.batch(0, 10) as b:
            with pytest.raises(FieldError, match="start_ns: set by the batch"):
                b.read(0, 0, (0, 4), slot=0, seen=(0, 0), start_ns=3)
        with pytest.raises(ValueError, match="batch 0 is closed"):
            b.read(0, 0, (0, 4), slot=0, seen=(0, 0))
        with pytest.raises(FieldError, match="end_ns: 5 is before start_ns 10"):
            rec.batch(10, 5)


def test_digests_own_fields_and_explicit_ids(tmp_path):
    path = tmp_path / "h.jsonl"
    with HistoryRecorder(path, policy="mine", chunk=4) as rec:
        rec.read(0, 0, (0, 4), start_ns=0, end_ns=10, slot=0, seen=(0, 0), out_digest=255,
                 x_gpu=3, step=7, batch=2)
        assert rec.write(0, 0, (0, 4), start_ns=10, end_ns=20, slot=0, seen=(0, 0),
                         commit=(0, 1), state_digest="8eb34611c4d92e64") == 8
    first, second = (json.loads(line) for line in lines(path)[1:])
    assert first["out_digest"] == "00000000000000ff"
    assert (first["step"], first["batch"], list(first)[-1]) == (7, 2, "x_gpu")
    assert second["state_digest"] == "8eb34611c4d92e64"


def test_names_its_trace_relative_to_the_history_folder(tmp_path):
    (tmp_path / "runs").mkdir()
    inside = HistoryRecorder(tmp_path / "runs" / "h.jsonl", policy=None, chunk=4,
                             trace=tmp_path / "runs" / "h.trace.jsonl")
    outside = HistoryRecorder(tmp_path / "runs" / "g.jsonl", policy=None, chunk=4,
                              trace=tmp_path / "t.jsonl")
    inside.close()
    outside.close()
    assert inside.header["trace"] == "h.trace.jsonl"
    assert outside.header["trace"] == str(tmp_path / "t.jsonl")


def good_step(**changes: object) -> dict:
    step = {"step": 5, "owner": 1, "effect": "WRITE", "version": 0, "tokens": [0, 4],
            "start_ns": 10, "end_ns": 20, "slot": 1, "seen_owner": 1, "seen_version": 0,
            "commit_slot": 1, "commit_version": 1}
    step.update(changes)
    return {k: v for k, v in step.items() if v is not None}


# (case, the step, the field the error names, whether the CLI's reader rejects the line too: it
# ignores unknown fields, which the recorder refuses so that a misspelt optional field shows.)
MALFORMED = [
    ("missing owner", good_step(owner=None), "owner", True),
    ("negative owner", good_step(owner=-1), "owner", True),
    ("bool slot", good_step(slot=True), "slot", True),
    ("float version", good_step(version=1.5), "version", True),
    ("string seen_version", good_step(seen_version="0"), "seen_version", True),
    ("lower-case effect", good_step(effect="write"), "effect", True),
    ("tokens backwards", good_step(tokens=[4, 0]), "tokens", True),
    ("one token bound", good_step(tokens=[4]), "tokens", True),
    ("end before start", good_step(end_ns=5), "end_ns", True),
    ("WRITE without commit_slot", good_step(commit_slot=None), "commit_slot", True),
    ("WRITE without commit_version", good_step(commit_version=None), "commit_version", True),
    ("commit on a READ", good_step(effect="READ"), "commit_slot", True),
    ("out_digest on a WRITE", good_step(out_digest="ab"), "out_digest", True),
    ("bad hex digest", good_step(state_digest="xyz"), "state_digest", True),
    ("digest too long", good_step(state_digest="0" * 17), "state_digest", True),
    ("misspelt field", good_step(seen_ownr=1), "seen_ownr", False),
]


@pytest.mark.parametrize("fields,field", [(s, f) for _, s, f, _ in MALFORMED],
                         ids=[case for case, *_ in MALFORMED])
def test_rejects_a_malformed_step_naming_its_field(tmp_path, fields, field):
    path = tmp_path / "h.jsonl"
    with HistoryRecorder(path, policy="mine", chunk=4) as rec:
        with pytest.raises(FieldError) as error:
            rec.step(**fields)
    assert error.value.field == field
    assert str(error.value).startswith(f"step 5: {field}: ")
    assert "docs/checker.md#history-format-v1" in str(error.value)
    assert len(lines(path)) == 1  # nothing of the bad step was written


@pytest.mark.parametrize("fields,field", [(s, f) for _, s, f, cli in MALFORMED if cli],
                         ids=[case for case, *_, cli in MALFORMED if cli])
def test_the_cli_rejects_the_same_line_naming_the_same_field(tmp_path, cli, fields, field):
    path = tmp_path / "bad.jsonl"
    path.write_text(HEADER + "\n" + json.dumps(fields) + "\n", encoding="utf-8")
    done = subprocess.run([cli, "check", str(path)], capture_output=True, text=True)
    assert done.returncode == 2, done.stdout
    assert f"bad.jsonl:2: {field}: " in done.stderr


def test_the_helpers_name_a_stamp_that_is_not_a_pair(tmp_path):
    with HistoryRecorder(tmp_path / "h.jsonl", policy="mine", chunk=4) as rec:
        with pytest.raises(FieldError, match=r"step 0: seen: expected \(seen_owner"):
            rec.read(0, 0, (0, 4), start_ns=0, end_ns=1, slot=0, seen=0)
        with pytest.raises(FieldError, match="commit: expected"):
            rec.write(0, 0, (0, 4), start_ns=0, end_ns=1, slot=0, seen=(0, 0), commit=1)


@pytest.mark.parametrize("chunk", [0, 2**31, True, 4.0])
def test_rejects_a_chunk_format_v1_does_not_allow(tmp_path, chunk):
    with pytest.raises(FieldError, match="^chunk: "):
        HistoryRecorder(tmp_path / "h.jsonl", policy="mine", chunk=chunk)


def test_a_copy_on_write_engine_declares_its_base_slot_and_checks_valid(tmp_path, cli):
    # Two owners share version 0 in slot 9; each first WRITE commits version 1 into its own slot.
    path = tmp_path / "cow.jsonl"
    with HistoryRecorder(path, policy="mine-cow", chunk=4, base_slot=9) as rec:
        with rec.batch(start_ns=0, end_ns=10) as b:
            for o in (0, 1):
                b.read(o, 0, (0, 4), slot=9, seen=(o, 0))
        with rec.batch(start_ns=10, end_ns=20) as b:
            for o in (0, 1):
                b.write(o, 0, (0, 4), slot=9, seen=(o, 0), commit=(o, 1))
        with rec.batch(start_ns=20, end_ns=30) as b:
            for o in (0, 1):
                b.read(o, 1, (4, 5), slot=o, seen=(o, 1))
    assert json.loads(lines(path)[0])["base_slot"] == 9
    done = subprocess.run([cli, "check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    # Committing into the base overwrites every owner's version 0: owner-leak.
    bad = tmp_path / "bad.jsonl"
    text = path.read_text(encoding="utf-8").replace('"commit_slot":0', '"commit_slot":9')
    bad.write_text(text, encoding="utf-8")
    done = subprocess.run([cli, "check", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "into the base slot 9" in done.stdout


def test_an_engine_with_a_host_tier_logs_its_moves_and_checks_valid(tmp_path, cli):
    # Owner 0 leaves slot 0 for host memory (slot 2^31) so that owner 1's first WRITE can take
    # it, and comes back into slot 1.
    host = 2**31
    path = tmp_path / "host.jsonl"
    with HistoryRecorder(path, policy="mine-host", chunk=4, base_slot=9) as rec:
        rec.read(0, 0, (0, 4), start_ns=0, end_ns=10, slot=9, seen=(0, 0))
        rec.write(0, 0, (0, 4), start_ns=10, end_ns=20, slot=9, seen=(0, 0), commit=(0, 1))
        assert rec.move(0, from_slot=0, to_slot=host, start_ns=20, end_ns=30, seen=(0, 1)) == 0
        rec.read(1, 0, (0, 4), start_ns=20, end_ns=30, slot=9, seen=(1, 0))
        rec.write(1, 0, (0, 4), start_ns=30, end_ns=40, slot=9, seen=(1, 0), commit=(0, 1))
        assert rec.move(0, from_slot=host, to_slot=1, start_ns=40, end_ns=50, seen=(0, 1)) == 1
        rec.read(0, 1, (4, 5), start_ns=50, end_ns=60, slot=1, seen=(0, 1))
    assert json.loads(lines(path)[3]) == {"move": 0, "owner": 0, "from_slot": 0,
                                          "to_slot": host, "start_ns": 20, "end_ns": 30,
                                          "seen_owner": 0, "seen_version": 1}
    done = subprocess.run([cli, "check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    # Without the offload owner 0 still holds slot 0 when owner 1 commits there: owner-leak.
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(l + "\n" for i, l in enumerate(lines(path)) if i != 3), encoding="utf-8")
    done = subprocess.run([cli, "check", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "owner-leak" in done.stdout


def test_rejects_a_move_format_v1_does_not_allow(tmp_path):
    with HistoryRecorder(tmp_path / "h.jsonl", policy="mine", chunk=4) as rec:
        with pytest.raises(FieldError, match="^to_slot: "):
            rec.move(0, from_slot=0, to_slot=-1, start_ns=0, end_ns=1, seen=(0, 0))
        with pytest.raises(FieldError, match="^end_ns: "):
            rec.move(0, from_slot=0, to_slot=1, start_ns=5, end_ns=1, seen=(0, 0))


@pytest.mark.parametrize("base", [-1, 2**64, True, "9"])
def test_rejects_a_base_slot_format_v1_does_not_allow(tmp_path, base):
    with pytest.raises(FieldError, match="^base_slot: "):
        HistoryRecorder(tmp_path / "h.jsonl", policy="mine", chunk=4, base_slot=base)


def test_refuses_steps_once_closed(tmp_path):
    rec = HistoryRecorder(tmp_path / "h.jsonl", policy="mine", chunk=4)
    rec.close()
    rec.close()
    with pytest.raises(ValueError, match="closed"):
        rec.read(0, 0, (0, 4), start_ns=0, end_ns=1, slot=0, seen=(0, 0))


def test_traces_round_trip_and_refuse_what_the_native_reader_refuses(tmp_path):
    requests = [Request(0, 0, 12, 5), Request(3, 10, 1, 0)]
    write_trace(tmp_path / "t.jsonl", requests)
    assert lines(tmp_path / "t.jsonl")[0] == (
        '{"id":0,"arrival_ns":0,"prompt_tokens":12,"output_tokens":5}')
    assert read_trace(tmp_path / "t.jsonl") == requests
    with pytest.raises(ValueError, match="request 1: arrival_ns 5 is before"):
        write_trace(tmp_path / "u.jsonl", [Request(0, 10, 1, 1), Request(1, 5, 1, 1)])
    with pytest.raises(ValueError, match="request 0: id used twice"):
        write_trace(tmp_path / "u.jsonl", [Request(0, 0, 1, 1), Request(0, 5, 1, 1)])
    with pytest.raises(ValueError, match="prompt_tokens"):
        Request(0, 0, -1, 1)
