import Foundation
import Testing
@testable import Report

@Suite struct AxisTests {
    @Test func niceStepsAreOneTwoTwoPointFiveOrFive() {
        #expect(Axis.niceStep(0.148) == 0.2)
        #expect(Axis.niceStep(2000) == 2000)
        #expect(Axis.niceStep(2001) == 2500)
        #expect(Axis.niceStep(0.0031) == 0.005)
        #expect(Axis.niceStep(7) == 10)
    }

    @Test func linearTicksOnKnownRanges() {
        let a = Axis.linear(min: 0, max: 10_000)
        #expect(a.ticks.map(\.value) == [0, 2000, 4000, 6000, 8000, 10_000])
        #expect(a.ticks.compactMap(\.label) == ["0", "2000", "4000", "6000", "8000", "10000"])
        #expect(a.lower == 0 && a.upper == 10_000)

        let b = Axis.linear(min: 0.13, max: 0.87)
        #expect(b.lower == 0 && abs(b.upper - 1) < 1e-12)
        #expect(b.ticks.compactMap(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])

        let c = Axis.linear(min: -3.2, max: 1.1)
        #expect(c.ticks.compactMap(\.label) == ["−4", "−3", "−2", "−1", "0", "1", "2"])

        let d = Axis.linear(min: 0, max: 1.25)
        #expect(d.ticks.compactMap(\.label) == ["0.00", "0.25", "0.50", "0.75", "1.00", "1.25"])
    }

    @Test func tightLinearAxisKeepsTheDataRange() {
        let a = Axis.linear(min: 0, max: 350, tight: true)
        #expect(a.lower == 0 && a.upper == 350)
        #expect(a.ticks.map(\.value) == [0, 100, 200, 300])
    }

    @Test func degenerateAndLargeRanges() {
        let a = Axis.linear(min: 5, max: 5)
        #expect(a.lower < 5 && a.upper > 5)
        let z = Axis.linear(min: 0, max: 0)
        #expect(z.lower < 0 && z.upper > 0)
        let big = Axis.linear(min: 0, max: 3_000_000)
        #expect(big.ticks.compactMap(\.label) == ["0", "10⁶", "2×10⁶", "3×10⁶"])
    }

    @Test func logTicksArePowersOfTen() {
        // Ends at 1, 2 or 5 × 10^k around the data; labels at every power of ten inside.
        let a = Axis.log(minPositive: 3e-4, maxPositive: 2)
        #expect(a.lower == 2e-4 && a.upper == 2)
        #expect(a.ticks.filter(\.major).compactMap(\.label) == ["10⁻³", "10⁻²", "10⁻¹", "10⁰"])
        #expect(a.ticks.map(\.value) == a.ticks.map(\.value).sorted())
        #expect(a.ticks.allSatisfy { $0.value >= a.lower * (1 - 1e-12) && $0.value <= a.upper * (1 + 1e-12) })
        #expect(a.ticks.allSatisfy { $0.major })  // four decades: no 2…9 minor ticks
        let m = Axis.log(minPositive: 0.03, maxPositive: 20)
        #expect(m.lower == 0.02 && m.upper == 20)
        #expect(m.ticks.filter { !$0.major }.count == 8 + 8 + 8 + 1)  // 2…9×10⁻², 2…9×10⁻¹, 2…9×10⁰, 2×10¹
        #expect(m.ticks.compactMap(\.label) == ["10⁻¹", "10⁰", "10¹"])

        // Eleven decades: every second decade labelled, at even exponents; the others are minor ticks.
        let b = Axis.log(minPositive: 1.5e-10, maxPositive: 30)
        #expect(b.lower == 1e-10 && b.upper == 50)
        #expect(b.ticks.compactMap(\.label) == ["10⁻¹⁰", "10⁻⁸", "10⁻⁶", "10⁻⁴", "10⁻²", "10⁰"])
        #expect(b.ticks.count == 12)

        // Within one decade the axis still spans a full decade, with 2…9 minor ticks.
        let c = Axis.log(minPositive: 2, maxPositive: 5)
        #expect(c.lower == 1 && c.upper == 10)
        #expect(c.ticks.filter { !$0.major }.map(\.value) == [2, 3, 4, 5, 6, 7, 8, 9])

        // Exact powers of ten are their own bounds.
        let d = Axis.log(minPositive: 1e-3, maxPositive: 1)
        #expect(d.lower == 1e-3 && d.upper == 1)
    }

    @Test func scaleChoice() {
        #expect(Axis.chooseScale(for: [1, 0.5, 0.2, 0.011]) == .linear)  // under two decades
        #expect(Axis.chooseScale(for: [1, 1e-3]) == .log)
        #expect(Axis.chooseScale(for: [10, 1e-8, 0, .nan, .infinity]) == .linear)  // one zero of three finite values is too many…
        #expect(Axis.chooseScale(for: [10, 1, 0.1, 1e-8, 0]) == .log)  // …one of five is fine
        #expect(Axis.chooseScale(for: [10, 1e-8, -3, -2, 0]) == .linear)  // mostly non-positive: linear
        #expect(Axis.chooseScale(for: []) == .linear)
        #expect(Axis.chooseScale(for: [.nan, .nan]) == .linear)
    }

    @Test func superscriptsAndFractions() {
        #expect(Axis.powerOfTen(-12) == "10⁻¹²")
        #expect(Axis.powerOfTen(0) == "10⁰")
        let a = Axis.log(minPositive: 1e-2, maxPositive: 1e2)
        #expect(abs(a.fraction(1) - 0.5) < 1e-12)
        let b = Axis.linear(min: 0, max: 10)
        #expect(abs(b.fraction(2.5) - 0.25) < 1e-12)
    }
}
