"""Length padding so ciphertext sizes say little about plaintext sizes."""


def padme(length: int) -> int:
    """Round length up with Padmé (Nikitin et al., PETS 2019).

    At most O(log log L) bits of the length leak and the overhead is at most 12 %;
    a fixed bucket list would either waste far more on big files or leak more on small ones.
    """
    if length < 2:
        return length
    exponent = length.bit_length() - 1  # floor(log2 L)
    significant = exponent.bit_length()  # floor(log2 exponent) + 1
    mask = (1 << (exponent - significant)) - 1
    return (length + mask) & ~mask
