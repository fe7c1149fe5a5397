import pytest

from lms.certificates.words import jp_phrase, number_to_words


@pytest.mark.parametrize("n, expected", [
    (0, "nol"),
    (1, "satu"),
    (9, "sembilan"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (24, "dua puluh empat"),
    (99, "sembilan puluh sembilan"),
    (100, "seratus"),
    (101, "seratus satu"),
    (110, "seratus sepuluh"),
    (111, "seratus sebelas"),
    (200, "dua ratus"),
    (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"),
    (1001, "seribu satu"),
    (1250, "seribu dua ratus lima puluh"),
    (2000, "dua ribu"),
    (11_000, "sebelas ribu"),
    (101_000, "seratus satu ribu"),
    (100_000, "seratus ribu"),
    (1_000_000, "satu juta"),
    (1_001_000, "satu juta seribu"),
    (2_500_000, "dua juta lima ratus ribu"),
    (21_000_017, "dua puluh satu juta tujuh belas"),
    (999_999_999, "sembilan ratus sembilan puluh sembilan juta sembilan ratus sembilan puluh "
                  "sembilan ribu sembilan ratus sembilan puluh sembilan"),
])
def test_number_to_words(n: int, expected: str) -> None:
    assert number_to_words(n) == expected


@pytest.mark.parametrize("n", [-1, 1_000_000_000])
def test_number_to_words_rejects_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match="di luar rentang"):
        number_to_words(n)


@pytest.mark.parametrize("n", [True, 2.0, "3"])
def test_number_to_words_rejects_non_integers(n: object) -> None:
    with pytest.raises(TypeError):
        number_to_words(n)  # type: ignore[arg-type]


@pytest.mark.parametrize("jp, expected", [
    (24, "24 (dua puluh empat) Jam Pelajaran"),
    (1, "1 (satu) Jam Pelajaran"),
    (32, "32 (tiga puluh dua) Jam Pelajaran"),
])
def test_jp_phrase(jp: int, expected: str) -> None:
    assert jp_phrase(jp) == expected
