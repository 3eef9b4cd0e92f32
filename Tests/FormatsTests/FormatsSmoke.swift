import Testing
@testable import Formats
