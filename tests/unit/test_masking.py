from chufei.core.masking import mask_text, mask_value


def test_id_numbers_and_mobiles_inside_text_are_masked():
    text = "举报人身份证 420704199001011234，手机 13812345678，座机 027-12345678"
    masked = mask_text(text)
    assert "420704199001011234" not in masked
    assert "13812345678" not in masked
    assert "420704********1234" in masked
    assert "138****5678" in masked
    assert "027-12345678" in masked


def test_mask_value_keeps_only_the_ends():
    assert mask_value("张三") == "**"
    assert mask_value("13812345678").startswith("13")
    assert "*" in mask_value("13812345678")
