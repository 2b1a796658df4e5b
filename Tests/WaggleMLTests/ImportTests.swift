import Testing
import WaggleML

struct ImportTests {
    @Test func csvQuantizesFeaturesAndReadsTheLabelColumnByName() throws {
        let d = try QuantizedDataset.fromCSV("x, label ,y\r\n1.5,1,-0.25\r\n2e-1,0,3\r\n\r\n", label: "label", fixedPoint: fp16)
        #expect(d.featureNames == ["x", "y"])
        #expect(d.samples == [.init(features: [98304, -16384], label: 1), .init(features: [13107, 196608], label: 0)])
    }

    @Test func csvErrorsNameTheLine() {
        func error(_ csv: String) -> String {
            do {
                _ = try QuantizedDataset.fromCSV(csv, label: "label", fixedPoint: fp16)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(error("a,b\n1,2\n") == #"CSV line 1: no column named "label" (columns: a, b)"#)
        #expect(error("a,label\n1,0\n2,1,3\n") == "CSV line 3: 3 cells, the header has 2")
        #expect(error("a,label\n1,0\nx,1\n") == #"CSV line 3, column "a": "x" is not a number"#)
        #expect(error("a,label\n1,0\n2,0.5\n") == #"CSV line 3: label "0.5" is not a class index (an integer ≥ 0)"#)
        #expect(error("a,label\n40000,0\n").hasPrefix("out of the fixed-point range: CSV line 2"))
        #expect(error("a,label\n") == "the dataset has no samples")
        #expect(error("") == "CSV line 1: no header row")
    }

    @Test func modelJSONIsReadAndBadModelsAreRefused() throws {
        let m = try QuantizedModel.fromJSON(
            Array(#"{"format":"waggle-model-v1","layers":[{"weights":[[1,0.5],[-2,0]],"bias":[0,1],"activation":"relu"},{"weights":[[1,1]],"bias":[-0.5],"activation":"none"}]}"#.utf8),
            fixedPoint: fp16)
        #expect(m.shape.dimensions == [2, 2, 1])
        #expect(m.parameters == [65536, 32768, -131072, 0, 0, 65536, 65536, 65536, -32768])
        func error(_ json: String) -> String {
            do {
                _ = try QuantizedModel.fromJSON(Array(json.utf8), fixedPoint: fp16)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(error(#"{"layers":[]}"#) == #"model JSON: "format" must be "waggle-model-v1""#)
        #expect(error(#"{"format":"waggle-model-v1","layers":[{"weights":[[1]],"bias":[0],"activation":"relu"}]}"#)
            == #"model JSON: layer 0 has activation "relu"; the last layer must have "none""#)
        #expect(error(#"{"format":"waggle-model-v1","layers":[{"weights":[[1,2],[3]],"bias":[0,0],"activation":"none"}]}"#).hasPrefix("shape mismatch: layer 0"))
        #expect(error(#"{"format":"waggle-model-v1","layers":[{"weights":[["a"]],"bias":[0],"activation":"none"}]}"#)
            == "model JSON: layers[0].weights[0][0] is not a number")
        #expect(error(#"{"format":"waggle-model-v1","layers":[{"weights":[[1e9]],"bias":[0],"activation":"none"}]}"#).hasPrefix("out of the fixed-point range"))
        #expect(error("{").hasPrefix("model JSON:"))
    }
}
