"""Token boundaries: snapping a selection and moving by token."""

from ui.tokens import Tokens

TOKENS = [(0, 2), (2, 3), (3, 7), (7, 8)]  # 两个 | 确 | 立推动京 | 。


def test_a_selection_widens_to_the_tokens_it_touches():
    tokens = Tokens(TOKENS)
    assert tokens.snap(0, 1) == (0, 2)
    assert tokens.snap(1, 4) == (0, 7)
    assert tokens.snap(2, 3) == (2, 3)
    assert len(tokens) == 4


def test_moving_by_token_and_overlap_queries():
    tokens = Tokens(TOKENS)
    assert [tokens.next_boundary(p) for p in (0, 1, 7, 8)] == [2, 2, 8, None]
    assert [tokens.previous_boundary(p) for p in (0, 3, 4)] == [None, 2, 3]
    assert list(tokens.overlapping(2, 4)) == [1, 2]
    assert list(tokens.overlapping(0, 8)) == [0, 1, 2, 3]


def test_tokens_that_do_not_tile_the_text_still_give_their_boundaries():
    tokens = Tokens([(0, 2), (4, 6)])
    assert tokens.boundaries == [0, 2, 4, 6]
    assert tokens.snap(1, 5) == (0, 6)
