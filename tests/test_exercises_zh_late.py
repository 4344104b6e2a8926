"""The checkers of lessons 8 to 15 in Chinese (the Chinese lessons call av.set_language("zh")).

Each case gives a checker a known mistake worked out here by hand (or a right
answer) and expects the whole printed line: in Chinese the Chinese verdict
and the Chinese hint from the lesson's catalogue area, and in English the
English line as before.  Where a hint or praise carries numbers, the numbers
are worked out here too and the Chinese line is written out in full.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from checking import assert_hint_in_both_languages, run

from actviz_widgets import i18n
from actviz_widgets.exercises import (
    lesson08,
    lesson09,
    lesson10,
    lesson11,
    lesson12,
    lesson13,
    lesson14,
    lesson15,
)

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


@pytest.mark.parametrize("mistake", MISTAKES,
                         ids=[f"{m[0]}-{m[1]}-{m[3].rsplit('.', 1)[1]}" for m in MISTAKES])
def test_a_wrong_answer_in_chinese_gets_the_chinese_hint(capsys, mistake):
    assert_hint_in_both_languages(capsys, *mistake)


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


def test_lesson12_saturation_of_another_layer_in_chinese(capsys):
    # the saturated shares of hidden layers 1 and 2, tanh′ = 1 − a² < 0.05, counted here from
    # the activations of the engine's forward pass (the layer asked about is hidden layer 2)
    net = lesson12.network(**lesson12.SATURATED)
    trace = net.forward(lesson12.data().X_train)
    shares = [float(np.mean(1 - a ** 2 < 0.05)) for a in trace.a[1:3]]
    assert abs(shares[0] - shares[1]) > 0.01
    with i18n.language("zh"):
        assert run(capsys, lesson12.check_saturated_share, shares[0]) == (
            False, "✘ 还不对：这是第 1 个隐藏层。请用 trace.dadz[2]，即第 2 个隐藏层的导数。")
        ok, text = run(capsys, lesson12.check_saturated_share, shares[1])
        assert ok is True and text.startswith(f"✔ 正确！{shares[1]:.0%} 的净输入传回的梯度")


# --- lesson 13: the learner's own functions, written out here ------------------------------

def _forward(params, X, bias=True):
    z1 = X @ params["W1"] + (params["b1"] if bias else 0.0)
    a1 = np.tanh(z1)
    z2 = a1 @ params["W2"] + params["b2"]
    return {"X": X, "z1": z1, "a1": a1, "z2": z2, "a2": 1 / (1 + np.exp(-z2))}


def _loss(a2, y):
    return -np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2))


def _backward(params, cache, y, sign=1.0):
    delta2 = sign * (cache["a2"] - y) / len(y)
    delta1 = (delta2 @ params["W2"].T) * (1 - cache["a1"] ** 2)
    return {"W2": cache["a1"].T @ delta2, "b2": delta2.sum(axis=0),
            "W1": cache["X"].T @ delta1, "b1": delta1.sum(axis=0)}


def _train(params, X, y, lr, steps):
    losses = []
    for _ in range(steps):
        cache = _forward(params, X)
        losses.append(_loss(cache["a2"], y))
        grads = _backward(params, cache, y)
        for name in params:
            params[name] -= lr * grads[name]
    return losses


def test_lesson13_the_learners_functions_in_chinese(capsys):
    with i18n.language("zh"):
        assert run(capsys, lesson13.check_forward, lambda p, X: _forward(p, X, bias=False)) == (
            False, "✘ 还不对：cache['z1']：你忘了偏置：z¹ = X W¹ + b¹。")
        assert run(capsys, lesson13.check_loss, lambda a, y: -_loss(a, y)) == (
            False, "✘ 还不对：符号反了：L = −mean(y log ŷ + (1 − y) log(1 − ŷ)) 永远不会是负数。")
        # the sign of δ² flipped: W² is the first gradient backpropagation computes
        assert run(capsys, lesson13.check_backward,
                   lambda p, c, y: _backward(p, c, y, sign=-1.0)) == (
            False, "✘ 还不对：grads['W2']：符号反了：δ² = (ŷ − y) / N，而不是 (y − ŷ) / N。")
        assert run(capsys, lesson13.check_backward, _backward) == (
            True, "✔ 正确！四个梯度都与引擎的相同：δ² = (ŷ − y)/N，δ¹ = (δ² W²ᵀ) ⊙ (1 − (a¹)²)，"
                  "每个权重的梯度是（输入）ᵀ δ，每个偏置的梯度是 δ 对样本的和。")


def test_lesson13_calls_that_fail_and_a_missing_answer_in_chinese(capsys):
    with i18n.language("zh"):
        assert run(capsys, lesson13.check_forward, 3) == (
            False, "✘ 还不对：请传入函数本身（只写函数名，不加括号）；这里得到的是 int。")
        assert run(capsys, lesson13.check_forward, lambda p, X: p["W9"]) == (
            False, "✘ 还不对：调用你的 forward 时出错，KeyError：'W9'。请使用本课的名字："
                   "params['W1']、cache['a1'] 等。")
        assert run(capsys, lesson13.check_forward, lambda p, X: (1, 2)) == (
            False, "✘ 还不对：你的 forward 应当返回一个字典，键为 'X', 'z1', 'a1', 'z2', 'a2'；"
                   "这里得到的是 tuple。")
        ok, text = run(capsys, lesson13.check_backward, ...)
    assert ok is False
    assert text == ("✎ 尚未作答：把 ... 换成你的答案，再运行这个单元格。可以从这里入手：计算 "
                    "delta2 = (cache['a2'] - y) / N；然后 grads['W2'] = a1.T @ delta2，"
                    "grads['b2'] = delta2.sum(axis=0)；再算 delta1 = (delta2 @ W2.T) * "
                    "(1 - a1**2)。")


def test_lesson13_training_praise_in_chinese(capsys):
    # the loss of every step is the one before its update, so the first is the initial loss
    X, y = np.array(lesson13.X_XOR), np.array(lesson13.Y_XOR)
    start = _loss(_forward(lesson13.initial_params(0), X)["a2"], y)
    end = _train(lesson13.initial_params(0), X, y, lesson13.LR, lesson13.STEPS)[-1]
    with i18n.language("zh"):
        ok, text = run(capsys, lesson13.check_train, _train)
    assert ok is True
    assert text.startswith(f"✔ 正确！训练 {lesson13.STEPS} 步后，你的网络把 4 个 XOR 点分对了 100%"
                           "（第一次全部分对是在第 ")
    assert text.endswith(f"步之后）；损失从 {start:.3f} 降到 {end:.4f}，与引擎完全一致。")


def test_lesson14_wrong_digits_in_chinese(capsys):
    # the case study's network on its test digits: wrong where the largest output is not
    # the label (counted here from the forward pass, not from a confusion matrix)
    X, y = lesson14.sorted_test()
    predicted = np.argmax(lesson14.network().forward(X).a[-1], axis=1)
    wrong, n = int(np.sum(predicted != y)), len(y)
    with i18n.language("zh"):
        assert run(capsys, lesson14.check_n_wrong, n) == (
            False, "✘ 还不对：这是测试集中数字的总数。")
        assert run(capsys, lesson14.check_n_wrong, n - wrong) == (
            False, "✘ 还不对：这是它分对的数字个数（混淆矩阵的对角线）。要数的是其余的。")
        assert run(capsys, lesson14.check_n_wrong, wrong) == (
            True, f"✔ 正确！{n} 个中错了 {wrong} 个：混淆矩阵对角线以外的元素加起来就是它。"
                  f"测试集上的准确率为 {(n - wrong) / n:.1%}。")


def test_lesson15_digit_accuracy_and_silent_neurons_in_chinese(capsys):
    # the confusion matrix counted here from a forward pass of the lesson's run (ReLU, linear)
    X, y = lesson15.sorted_test()
    (W0, W1), (b0, b1) = lesson15.network().weights, lesson15.network().biases
    predicted = (np.maximum(X @ W0 + b0, 0.0) @ W1 + b1).argmax(axis=1)
    d = lesson15.DIGIT
    row = [int(np.sum((y == d) & (predicted == c))) for c in range(10)]
    recall = row[d] / sum(row)
    rates = [np.mean(predicted[y == c] == c) for c in range(10)]
    others = "，".join(f"{n} 个认成 {c}" for n, c in sorted(
        ((row[c], c) for c in range(10) if c != d and row[c]), key=lambda t: (-t[0], t[1])))
    lowest = "：是十个类别中最低的" if int(np.argmin(rates)) == d else ""
    with i18n.language("zh"):
        assert run(capsys, lesson15.check_digit_accuracy, recall) == (
            True, f"✔ 正确！测试集中 {sum(row)} 个数字 {d} 认对了 {row[d]} 个，占 {recall:.1%}"
                  f"{lowest}。其余的被认成了：{others}（混淆矩阵的第 {d} 行）。")
        assert run(capsys, lesson15.check_digit_accuracy, 100 * recall) == (
            False, "✘ 还不对：这是百分数。请给出 0 到 1 之间的小数。")
        # a count of neurons asked for; a fraction of them given
        silent = int(np.sum(lesson15.run().timeline.gradient[:, -1] == 0))
        assert run(capsys, lesson15.check_silent_neurons, silent / 128) == (
            False, "✘ 还不对：这是一个比例。请给出神经元的个数。")
