using Strata.Engine.Cluster;
using Strata.Engine.Cost;

namespace Strata.Engine.Tests.Cost;

public class StepCostModelsTests
{
    [Fact]
    public void Runs_on_one_profile_share_its_model_and_a_changed_file_is_read_again()
    {
        var folder = Directory.CreateTempSubdirectory("strata-profile-").FullName;
        try
        {
            var source = Core.Data.DataFolder.Path("profiles", "rtxpro6000-qwen3-30b-a3b");
            foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            var cluster = ClusterPresets.RtxPro6000Dp2Ep2 with { StepModel = ClusterPresets.RtxPro6000Dp2Ep2.StepModel with { Directory = folder } };

            var first = StepCostModels.Create(cluster);
            Assert.Same(first, StepCostModels.Create(cluster));

            var moe = Path.Combine(folder, "moe.csv");
            File.WriteAllText(moe, "tokens,experts,time_us\n");
            File.SetLastWriteTimeUtc(moe, DateTime.UtcNow.AddMinutes(1));
            var error = Assert.Throws<ProfileException>(() => StepCostModels.Create(cluster));
            Assert.Contains("moe.csv line 1: expected the header", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
