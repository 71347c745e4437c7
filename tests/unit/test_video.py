"""Footage review without Qt: exact frames by number, sound as PCM, stills, clips and redaction on real H.264."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from app.core.redaction import Keyframe, RedactionBox, box_problems, boxes_json, pixel_rect
from app.io.video import VideoError, VideoSource
from app.io.video_export import export_clip, export_redacted, export_still
from tests.media import frame_number, write_not_media, write_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=2, fps=25, gop=12)


def test_info_of_a_real_file(clip: Path) -> None:
    with VideoSource(clip) as video:
        info = video.info
    assert (info.width, info.height, info.fps, info.frame_count, info.has_audio) == (320, 240, 25.0, 50, True)
    assert info.duration_s == pytest.approx(2.0, abs=0.05)


def test_every_frame_number_is_exact_in_any_order(clip: Path) -> None:
    order = [0, 1, 2, 13, 12, 11, 49, 25, 24, 36, 0, 48, 47]
    with VideoSource(clip) as video:
        for index in order:
            got, rgb = video.frame(index)
            assert got == index
            assert frame_number(rgb) == index


def test_frames_past_the_end_clamp_to_the_last(clip: Path) -> None:
    with VideoSource(clip) as video:
        got, rgb = video.frame(500)
    assert got == 49 and frame_number(rgb) == 49


def test_sequential_frames_and_scaled_size(clip: Path) -> None:
    with VideoSource(clip) as video:
        seen = [(i, frame_number(rgb), rgb.shape) for i, rgb in video.frames(40, size=(160, 120))]
    assert [i for i, _, _ in seen] == list(range(40, 50))
    assert all(i == n and shape == (120, 160, 3) for i, n, shape in seen)


def test_sound_from_a_start_time(clip: Path) -> None:
    with VideoSource(clip) as video:
        chunks = list(video.audio_pcm(1.5))
    assert chunks[0][0] == pytest.approx(1.5)
    seconds = sum(len(data) for _, data in chunks) / 4 / 48_000
    assert seconds == pytest.approx(0.5, abs=0.05)


def test_not_a_video_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="cannot be opened as video"):
        VideoSource(write_not_media(tmp_path / "notes.mp4"))


def test_still_is_the_exact_frame_at_full_size(clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "still.png"
    assert export_still(clip, 17, dst) == 17
    with av.open(str(dst)) as c:
        rgb = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert rgb.shape == (240, 320, 3) and frame_number(rgb) == 17
    assert not list(tmp_path.glob(".*.part"))


def test_clip_holds_exactly_in_to_out_with_sound(clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "clip.mp4"
    assert export_clip(clip, dst, 10, 29) == 20
    with VideoSource(dst) as video:
        assert video.info.frame_count == 20 and video.info.fps == 25.0 and video.info.has_audio
        assert [frame_number(video.frame(i)[1]) for i in (0, 1, 19)] == [10, 11, 29]
        sound = sum(len(d) for _, d in video.audio_pcm()) / 4 / 48_000
    assert sound == pytest.approx(0.8, abs=0.05)
    original = clip.read_bytes()
    assert clip.read_bytes() == original  # only read


class _Cancel:
    def __init__(self, after: int) -> None:
        self.calls, self.after = 0, after

    def check(self) -> None:
        self.calls += 1
        if self.calls > self.after:
            raise RuntimeError("cancelled")

    def progress(self, done: int, total: int) -> None:
        pass


def test_cancelled_export_leaves_no_file(clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "clip.mp4"
    with pytest.raises(RuntimeError, match="cancelled"):
        export_clip(clip, dst, 0, 49, _Cancel(after=5))
    assert list(tmp_path.iterdir()) == []


def _box(style: str, frames: tuple[int, int], rect: tuple[float, float, float, float], reason: str = "bystander"
         ) -> RedactionBox:
    box = RedactionBox(style=style, reason=reason)
    for f in frames:
        box.set_keyframe(Keyframe(f, *rect))
    return box


def test_interpolation_between_keyframes() -> None:
    box = RedactionBox(reason="plate")
    box.set_keyframe(Keyframe(10, 0, 0, 10, 10))
    box.set_keyframe(Keyframe(20, 100, 50, 30, 10))
    assert box.rect_at(9) is None and box.rect_at(21) is None
    assert box.rect_at(10) == (0, 0, 10, 10)
    assert box.rect_at(15) == (50, 25, 20, 10)
    assert box.rect_at(20) == (100, 50, 30, 10)
    box.set_keyframe(Keyframe(15, 0, 0, 10, 10))  # replaces nothing, splits the track
    assert box.rect_at(15) == (0, 0, 10, 10) and len(box.keyframes) == 3
    assert RedactionBox.from_dict(box.to_dict()).rect_at(17) == box.rect_at(17)


def test_box_problems_name_each_fault() -> None:
    assert box_problems([], 320, 240, 50) == ["Draw at least one box over the picture."]
    problems = box_problems([_box("solid", (0, 5), (10, 10, 20, 20), reason=" "),
                             _box("paint", (3, 60), (400, 10, 20, 20))], 320, 240, 50)
    assert any("Box 1 needs a reason" in p for p in problems)
    assert any("Box 2 has an unknown fill" in p for p in problems)
    assert any("Box 2 at frame 3 is outside the picture" in p for p in problems)
    assert any("frame 60, outside the footage" in p for p in problems)
    assert box_problems([_box("blur", (0, 49), (10, 10, 20, 20))], 320, 240, 50) == []
    assert pixel_rect((-5.5, 10.2, 20, 300), 320, 240) == (0, 10, 15, 240)


def test_redacted_copy_hides_the_boxes_only_where_they_are(clip: Path, tmp_path: Path) -> None:
    bar = _box("solid", (10, 20), (0, 0, 320, 28), reason="covers the frame counter")  # the bit row
    blur = _box("blur", (0, 49), (10, 40, 160, 110))  # over the big digits
    dst = tmp_path / "redacted.mp4"
    assert export_redacted(clip, dst, [bar, blur]) == 50
    with VideoSource(dst) as red, VideoSource(clip) as orig:
        hidden = red.frame(15)[1]
        assert hidden[:28].max() < 40  # solid black where the box was
        assert frame_number(red.frame(5)[1]) == 5 and frame_number(red.frame(30)[1]) == 30  # not outside it
        patch_red = red.frame(30)[1][50:140, 20:160].astype(float)
        patch_orig = orig.frame(30)[1][50:140, 20:160].astype(float)
        # blurred: the white strokes of the digits are gone (no sharp maxima, far less contrast) but it is not a fill
        assert (patch_orig > 240).mean() > 0.1 and np.abs(np.diff(patch_orig, axis=1)).max() > 150
        assert np.abs(np.diff(patch_red, axis=1)).max() < 40
        assert 1.0 < patch_red.std() < 0.6 * patch_orig.std()
    assert '"reason":"covers the frame counter"' in boxes_json([bar])
