import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoregion.data import creditcode
from innoregion.data.creditcode import CreditCodeError

# Published examples of real unified social credit codes (valid check characters).
VALID = ["91110000600037341L", "91350100M000100Y43"]


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes(code):
    assert creditcode.validate(code) == code
    assert creditcode.is_valid(code)


def test_normalises_case_and_whitespace():
    assert creditcode.validate("  91110000600037341l ") == "91110000600037341L"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110000600037341", "has 17 characters"),
        ("91110000600037341LX", "has 19 characters"),
        ("91110000600037341Z", "character 'Z' at position 18"),
        ("9111000060003734IL", "character 'I' at position 17"),
        ("91AB0000600037341L", "6-digit administrative division"),
        ("91110000600037341M", "check character is 'M' but GB 32100-2015 gives 'L'"),
    ],
)
def test_invalid_codes_are_refused_with_a_clear_message(code, message):
    with pytest.raises(CreditCodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        creditcode.validate(code)


def test_non_text_is_refused():
    with pytest.raises(CreditCodeError, match="must be text"):
        creditcode.validate(911100006000373)


def test_check_character_weights_are_powers_of_three():
    assert creditcode.WEIGHTS[:6] == [1, 3, 9, 27, 19, 26]


org_body = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@given(division=st.integers(110000, 659999).map(str), body=org_body)
def test_made_codes_validate_and_any_single_substitution_is_caught(division, body):
    code = creditcode.make_code("9", "1", division, body)
    assert creditcode.is_valid(code)
    # Changing any one character to another allowed character breaks the check (weights are
    # non-zero mod 31, so a single substitution always changes the sum).
    for pos in range(17):
        replacement = "0" if code[pos] != "0" else "1"
        mutated = code[:pos] + replacement + code[pos + 1:]
        assert not creditcode.is_valid(mutated)
