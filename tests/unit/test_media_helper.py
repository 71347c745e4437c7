"""The test video helper itself: real H.264 + AAC, and the frame number reads back exactly from every frame."""

from __future__ import annotations

import av

from tests.media import draw_frame, frame_number, write_video


def test_frame_number_round_trip_on_raw_pictures() -> None:
    for i in (0, 1, 7, 255, 1234, 65535):
        assert frame_number(draw_frame(i, 320, 240)) == i


def test_written_video_is_h264_aac_and_every_frame_carries_its_index(tmp_path) -> None:
    path = write_video(tmp_path / "clip.mp4", seconds=1.0, fps=25, width=192, height=144)
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        got = [frame_number(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    assert got == list(range(25))
