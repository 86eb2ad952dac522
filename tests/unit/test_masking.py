from chufei.core.masking import mask_text, mask_texts, mask_value


def test_id_numbers_and_mobiles_inside_text_are_masked():
    text = "举报人身份证 420704199001011234，手机 13812345678，座机 027-12345678"
    masked = mask_text(text)
    assert "420704199001011234" not in masked
    assert "13812345678" not in masked
    assert "420704********1234" in masked
    assert "138****5678" in masked
    assert "027-12345678" in masked


def test_mask_value_keeps_only_the_ends():
    assert mask_value("张三") == "张*"
    assert mask_value("13812345678").startswith("13")
    assert "*" in mask_value("13812345678")


PHONE_FORMS = ["+8613971234567", "8613971234567", "139-7123-4567", "139 7123 4567", "+86 139 7123 4567",
               "(+86)13971234567", "0086-139-7123-4567", "139.7123.4567", "１３９７１２３４５６７", "Tel13971234567"]
ID_FORMS = ["420703198511204569", "420703 19851120 4569", "4207 0319 8511 2045 69", "420703-19851120-4569",
            "42070319851120456x", "４２０７０３１９８５１１２０４５６９"]


def _digits(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())


def test_every_common_way_of_writing_a_mobile_is_masked():
    for form in PHONE_FORMS:
        masked = mask_text(f"联系方式：{form}，请回电")
        assert "71234567" not in _digits(masked), (form, masked)
        assert "139****4567" in masked, (form, masked)
        assert masked.endswith("，请回电")


def test_id_numbers_with_spaces_or_hyphens_are_masked():
    for form in ID_FORMS:
        masked = mask_text(f"身份证 {form} 已核实")
        assert "19851120" not in _digits(masked), (form, masked)
        assert "420703********" in masked, (form, masked)


def test_a_name_written_before_a_number_is_masked_with_it():
    assert mask_text("孙悟能13307112345") == "孙**133****2345"
    assert mask_text("联系人王五 电话：139-7123-4567") == "联系人王* 电话：139****4567"
    assert mask_value("孙悟能13307112345") == "孙**133****2345"


def test_names_keep_their_surname_only():
    assert mask_value("王五") == "王*"
    assert mask_value("李建国") == "李**"
    assert mask_value("欧阳明远") == "欧***"


def test_hashes_codes_and_landlines_are_left_alone():
    sha = "a13912345678b" + "0" * 51
    assert mask_text(sha) == sha
    assert mask_text("座机 027-12345678，案件编号 XU0001") == "座机 027-12345678，案件编号 XU0001"
    assert mask_text("金额 1234567890123 元") == "金额 1234567890123 元"


def test_a_column_masked_at_once_masks_each_text_as_alone():
    """A long list's texts are searched for numbers together: a text's number is found however
    its neighbour ends, and digits of two neighbours never make one."""
    texts = ["A-4207", "13912345678", "139", "12345678", "王五 110101199003074514", "", "4201-2016-000123"]
    assert mask_texts(texts) == [mask_text(text) for text in texts]
    assert mask_texts(texts)[1] == "139****5678"
    assert mask_texts(texts)[2:4] == ["139", "12345678"]


def test_a_long_column_is_searched_a_part_at_a_time_and_masked_all_the_same(monkeypatch):
    """A day's evidence lists are tens of millions of characters, searched a few million at a time
    (the search holds ~14 bytes a character): a number is masked whichever part its text falls in."""
    from chufei.core import masking

    texts = ["王五 110101199003074514", "电话 139 1234 5678", "案件编号 XU0001", "", "13912345678"] * 7
    expected = [mask_text(text) for text in texts]
    for characters in (1, 10, 40, 10**9):
        monkeypatch.setattr(masking, "_CHARACTERS_AT_ONCE", characters)
        assert mask_texts(texts) == expected
    assert "110101199003074514" not in "".join(expected)
    assert "5678" in expected[1]
