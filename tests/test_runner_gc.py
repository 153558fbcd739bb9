"""``runner.collected_after``: no collection while a file is analysed, then one pass over what it allocated."""
import gc

from linter.runner import FileJob, collected_after, process_file


class _Cycle:
    def __init__(self):
        self.me = self


def test_no_collection_meanwhile_and_the_garbage_collected_after():
    collections = []

    def note(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(note)
    try:
        with collected_after():
            assert not gc.isenabled()
            for _ in range(100_000):  # far more allocations than any threshold
                _Cycle()
            assert collections == []
        assert gc.isenabled()
        assert collections == [0]  # one pass, over the youngest generation
        assert gc.get_count()[0] < 100
    finally:
        gc.callbacks.remove(note)


def test_a_caller_that_turned_collection_off_keeps_it_off():
    gc.disable()
    try:
        with collected_after():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collection_is_back_on_after_a_file_that_fails(tmp_path):
    source = tmp_path / "app.py"
    source.write_text("def (:\n    x = '/v1.1/images/detail'\n", encoding="utf-8")
    job = FileJob(str(source), str(source), frozenset({"IMS000", "IMS001"}), "huawei-ims")
    report = process_file(job)
    assert [finding.code for finding in report.findings] == ["IMS000", "IMS001"]  # and its literal scanned
    assert gc.isenabled()


def test_the_literal_scan_leaves_no_cyclic_garbage():
    from linter.literal_scan import scan

    text = "".join(f"x{n} = '/v1.1/images/detail?n={n}'\n" for n in range(200)) + "print 'python 2'\n"
    gc.collect()
    gc.disable()
    try:
        assert len(scan(text, "app.py")) == 200
        assert gc.collect() < 50  # ast.literal_eval left 4 self-referencing closures per literal
    finally:
        gc.enable()
