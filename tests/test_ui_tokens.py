"""Token boundaries: snapping a selection and moving by token."""

from hypothesis import given, settings, strategies as st

from ui.tokens import Tokens

TOKENS = [(0, 2), (2, 3), (3, 7), (7, 8)]  # 两个 | 确 | 立推动京 | 。


def test_a_selection_widens_to_the_tokens_it_touches():
    tokens = Tokens.from_tokens(TOKENS)
    assert tokens.snap(0, 1) == (0, 2)
    assert tokens.snap(1, 4) == (0, 7)
    assert tokens.snap(2, 3) == (2, 3)
    assert len(tokens) == 4


def test_moving_by_token_and_overlap_queries():
    tokens = Tokens.from_tokens(TOKENS)
    assert [tokens.next_boundary(p) for p in (0, 1, 7, 8)] == [2, 2, 8, None]
    assert [tokens.previous_boundary(p) for p in (0, 3, 4)] == [None, 2, 3]
    assert list(tokens.overlapping(2, 4)) == [1, 2]
    assert list(tokens.overlapping(0, 8)) == [0, 1, 2, 3]


def test_tokens_that_do_not_tile_the_text_still_give_their_boundaries():
    tokens = Tokens.from_tokens([(0, 2), (4, 6)])
    assert tokens.boundaries == [0, 2, 4, 6]
    assert tokens.snap(1, 5) == (0, 6)


def test_boundaries_from_the_cached_lengths_are_those_of_the_tokens(database):
    from corpus.documents import store_text
    from corpus.segment import document_token_lengths, document_tokens

    text = "坚决做到“两个维护”，推动京津冀协同发展走深走实。\nA𠀀B"
    with database.transaction() as session:
        document_id, _ = store_text(session, name="d", text=text)
    from_tokens = Tokens.from_tokens(document_tokens(database, document_id)).boundaries
    assert Tokens.from_lengths(document_token_lengths(database, document_id)).boundaries == from_tokens
    assert from_tokens[0] == 0 and from_tokens[-1] == len(text) and len(from_tokens) > 10


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_new_tokens_repaint_every_underline_that_changed(data):
    """After a lexicon change the token layer repaints only where underlines changed (place or colour)."""
    from ui.layers import _changed_stretch

    length = data.draw(st.integers(2, 60))
    inner = data.draw(st.sets(st.integers(1, length - 1)))
    old = sorted({0, length} | inner)
    new = sorted({0, length} | (inner ^ data.draw(st.sets(st.integers(1, length - 1), max_size=4))))
    chunk = data.draw(st.sampled_from([2, 4, 4096]))
    stretch = _changed_stretch(old, new, chunk=chunk)

    def underlines(bounds):  # (start, end, colour) as the layer draws them
        return {(bounds[i], bounds[i + 1], i % 2) for i in range(len(bounds) - 1)}

    changed = underlines(old) ^ underlines(new)
    assert (stretch is None) == (not changed)
    assert all(stretch[0] <= start and end <= stretch[1] for start, end, _ in changed)
