"""NHS numbers: ten digits whose last is a modulus 11 check digit (NHS Data Dictionary, "NHS NUMBER").

1. Multiply each of the first nine digits by a weight from 10 down to 2 and add the products.
2. The check digit is 11 minus the remainder of that sum divided by 11; 11 becomes 0.
3. A result of 10 means the number is not valid (no NHS number is issued with it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit of nine digits, or None when no valid NHS number starts with them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_nhs_number(raw: str) -> str:
    """Spaces and dashes removed (people write 943 476 5919 or 943-476-5919)."""
    return raw.replace(" ", "").replace("-", "")


def is_valid_nhs_number(raw: str) -> bool:
    number = normalise_nhs_number(raw)
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_number_check_digit(number[:9]) == int(number[9])


def validate_nhs_number(value: str) -> None:
    if value and not is_valid_nhs_number(value):
        raise ValidationError("Enter a real NHS number: 10 digits, the last a check digit, like 943 476 5919.")
