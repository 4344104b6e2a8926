"""The checkers of lessons 8 to 15 in Chinese (the Chinese lessons call av.set_language("zh")).

Each case gives a checker a known mistake worked out here by hand (or a right
answer) and expects the whole printed line: in Chinese the Chinese verdict
and the Chinese hint from the lesson's catalogue area, and in English the
English line as before.  Where a hint or praise carries numbers, the numbers
are worked out here too and the Chinese line is written out in full.
"""

from __future__ import annotations

import importlib
import math

import pytest

from actviz_widgets import i18n
from actviz_widgets.exercises import lesson08, lesson09, lesson10, lesson11
from checking import run

WRONG = {"en": "✘ Not quite: ", "zh": "✘ 还不对："}
RIGHT = {"en": "✔ Correct! ", "zh": "✔ 正确！"}


# (lesson module, checker, a known mistake worked out by hand, its key, the values in the hint)
MISTAKES = [
    # 100 samples in batches of 8 for 20 epochs: 100 / 8 · 20 = 250, a fraction of a step per epoch
    ("lesson08", "check_total_steps", 250.0, "lesson08.total_steps.hint_1", {}),
    # 0.3 × 32 / 8: the linear scaling rule upside down
    ("lesson08", "check_scaled_lr", 1.2, "lesson08.scaled_lr.hint_1", {}),
    # He's σ² = 2/n_in = 2/8 given instead of σ
    ("lesson09", "check_he_std", 0.25, "lesson09.he_std.hint_1", {}),
    # Xavier's √(2/(8 + 8))
    ("lesson09", "check_he_std", math.sqrt(2 / 16), "lesson09.he_std.hint_2", {}),
    # leaky ReLU at z = −2 with ∂L/∂a = 0.3: ReLU's 0, and ∂L/∂a without f′(z) = 0.01
    ("lesson10", "check_leaky_delta", 0.0, "lesson10.leaky_delta.hint_1", {}),
    ("lesson10", "check_leaky_delta", 0.3, "lesson10.leaky_delta.hint_2", {}),
]


@pytest.mark.parametrize("lesson, checker, answer, key, values", MISTAKES,
                         ids=[f"{m[0]}-{m[1]}-{m[3].rsplit('.', 1)[1]}" for m in MISTAKES])
def test_a_wrong_answer_in_chinese_gets_the_chinese_hint(capsys, lesson, checker, answer, key,
                                                          values):
    check = getattr(importlib.import_module(f"actviz_widgets.exercises.{lesson}"), checker)
    with i18n.language("zh"):
        ok, text = run(capsys, check, answer)
    assert ok is False
    assert text == WRONG["zh"] + i18n.tr(key, "zh", **values)
    ok, english = run(capsys, check, answer)  # and in English, the English hint as before
    assert ok is False
    assert english == WRONG["en"] + i18n.tr(key, "en", **values)


def test_lesson08_total_steps_praise_in_both_languages(capsys):
    assert lesson08.EPOCHS == {"n_train": 100, "batch_size": 8, "epochs": 20}
    total = math.ceil(100 / 8) * 20  # 13 steps an epoch (12 full batches and one of 4)
    with i18n.language("zh"):
        assert run(capsys, lesson08.check_total_steps, total) == (
            True, "✔ 正确！每轮 ceil(100/8) = 13 步，× 20 轮 = 260 步。同样是 20 轮，用全批量只要 "
                  "20 步，B = 1 时则要 2000 步。")
    assert run(capsys, lesson08.check_total_steps, total) == (
        True, "✔ Correct! ceil(100/8) = 13 steps per epoch, × 20 = 260. The same 20 epochs are "
              "20 steps with the full batch and 2000 with B = 1.")


def test_lesson08_schedule_praise_in_chinese(capsys):
    s = lesson08.SCHEDULE
    assert s == {"lr": 0.5, "total_steps": 260, "warmup_steps": 26, "t": 150}
    # warm-up over at step 26; then half a cosine over the 234 steps left
    lr = 0.5 * (1 + math.cos(math.pi * (150 - 26) / (260 - 26))) / 2
    with i18n.language("zh"):
        assert run(capsys, lesson08.check_schedule_lr, lr) == (
            True, f"✔ 正确！余弦衰减共 T − W = 234 步，已走了 t − W = 124 步：lr = {lr:.4g}。")


def test_lesson09_he_std_praise_and_a_scale_that_shrinks_the_gradient_in_chinese(capsys):
    with i18n.language("zh"):
        assert run(capsys, lesson09.check_he_std, math.sqrt(2 / 8)) == (
            True, "✔ 正确！√(2/8) = 0.5。ReLU 会把大约一半的净输入置零，所以 He 初始化用的方差是"
                  "让线性层信号大小不变所需方差的两倍。")
        ok, text = run(capsys, lesson09.check_best_scale, 0.5)
    assert ok is False
    assert text.startswith("✘ 还不对：尺度为 0.5 时比值是 ")
    assert "：梯度从输出层往回传，缩小了 " in text and text.endswith("个数量级。另有一个尺度更接近 1。")


def test_lesson10_leaky_praise_and_the_smallest_learning_rate_in_chinese(capsys):
    assert lesson10.LEAKY == {"z": -2.0, "dL_da": 0.3}
    with i18n.language("zh"):
        assert run(capsys, lesson10.check_leaky_delta, 0.3 * 0.01) == (
            True, "✔ 正确！δ = 0.3 × 0.01 = 0.003：比 z > 0 时小一百倍，但永远不会恰好为 0，"
                  "所以这个神经元的权重仍在学习。")
        # lr = 0.1, the smallest, is not the safest (tests/test_exercises.py trains them all)
        ok, text = run(capsys, lesson10.check_safest_learning_rate, 0.1)
    assert ok is False
    assert text.startswith("✘ 还不对：lr = 0.1 时，") and "个神经元中有" in text
    assert text.endswith("另有一个学习率留下的死亡神经元更少。最小的学习率不一定最安全。")


def test_lesson11_l2_strengths_in_chinese(capsys):
    # tests/test_exercises.py trains all four strengths with a reference loop: 0.03 has the
    # lowest test loss, 0 the lowest training loss; 0.1 is stronger than the best, 0.01 weaker
    assert lesson11.L2_CHOICES == (0.0, 0.01, 0.03, 0.1)
    with i18n.language("zh"):
        answers = {l2: run(capsys, lesson11.check_best_l2, l2) for l2 in (0.0, 0.01, 0.1)}
    assert all(ok is False for ok, _ in answers.values())
    assert answers[0.0][1].startswith("✘ 还不对：L2 = 0 的训练损失最低（")
    assert answers[0.0][1].endswith("。要按测试损失来选：它衡量的是网络没有学过的数据。")
    assert answers[0.01][1].startswith("✘ 还不对：L2 = 0.01 时测试损失是 ")
    assert answers[0.01][1].endswith("：仍然过拟合。请比较所有的测试损失。")
    assert answers[0.1][1].startswith("✘ 还不对：L2 = 0.1 时测试损失是 ")
    assert answers[0.1][1].endswith("：惩罚这么强，权重被压得太小，拟合不了数据（欠拟合）。")
