-- AlterTable
ALTER TABLE "Cycle" ADD COLUMN "provisionalYear" INTEGER;

-- CreateIndex
CREATE INDEX "Cycle_provisionalYear_idx" ON "Cycle"("provisionalYear");

